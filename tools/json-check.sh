#!/bin/sh
# SPDX-License-Identifier: MIT
# uring-probe --json must print valid JSON, and the text report must work.
set -eu
"$1" --json | python3 -m json.tool > /dev/null
"$1" > /dev/null || [ $? -eq 1 ]   # 1: io_uring unusable here, still a report
echo "ok: uring-probe --json is valid JSON"
