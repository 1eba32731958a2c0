#!/usr/bin/env bash
# One full money walkthrough with the CLI against a served sandbox (a separate
# process, so state carries from command to command): bind, withdraw fast, upgrade,
# buy, transfer, then a withdrawal whose answer is dropped, and reconcile.
#   bash scripts/walkthrough.sh        (uses .venv/bin/gmtui)
set -euo pipefail
G=${GMTUI:-.venv/bin/gmtui}
PORT=${PORT:-8799}
export GMTUI_HOME=$(mktemp -d)
$G sandbox --port "$PORT" --faults "drop-after=0.5,seed=2,ops=withdraw.create_24h" >/dev/null &
SERVER=$!
trap 'kill $SERVER; rm -rf "$GMTUI_HOME"' EXIT
export GMTUI_BASE_URL=http://127.0.0.1:$PORT GMTUI_API_KEY=gmtui-demo-key GMTUI_API_SECRET=gmtui-demo-secret-0f3b9c2e GMTUI_USER=alice
until curl -s "$GMTUI_BASE_URL" >/dev/null; do sleep 0.2; done
balance() { $G get totals --format json | python3 -c 'import json,sys; t=json.load(sys.stdin); print("  on balance", t["onBalanceAmount"], "BTC, withdrawn", t["withdrawnAmount"], "BTC")'; }
step() { echo; echo "\$ gmtui $*"; $G "$@" || echo "  (exit $?)"; }
echo "start:"; balance
step wallet bind bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 --yes
step withdraw 0.002 --to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 --fast --yes; balance
step upgrade create --miner 10003 --efficiency 17 --yes
step buy 2 --yes
step transfer 10002 --to bob --yes
for i in 1 2 3; do step withdraw 0.001 --to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 --yes; done; balance
step journal --format table
step reconcile
step journal --unknown --format table
echo; echo "end:"; balance
$G get miners --format table --user bob | head -5
