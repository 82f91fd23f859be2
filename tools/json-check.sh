#!/bin/sh
# SPDX-License-Identifier: MIT
# uring-probe --json must print valid JSON, and the text report must work.
set -eu
"$1" --json | python3 -m json.tool > /dev/null
# 1: io_uring unusable here, 3: io_uring_register refused; still a report
"$1" > /dev/null || { rc=$?; [ $rc -eq 1 ] || [ $rc -eq 3 ]; }
echo "ok: uring-probe --json is valid JSON"
