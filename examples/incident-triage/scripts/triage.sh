#!/bin/sh
# A fake agent for the exec harness: $1 names the step; the prompt arrives on stdin (ignored here);
# the reply JSON goes to stdout.
cat >/dev/null
case "$1" in
  intake)  echo '{"output": {"summary": "Checkout returns 500s", "service": "checkout", "severity": "critical"}}' ;;
  logs)    echo '{"output": {"findings": "NullReferenceException in PaymentClient", "error_rate": 0.42}}' ;;
  deploys) echo '{"output": {"suspect_commit": "abc1234", "deployed_recently": true}}' ;;
  assess)  echo '{"output": {"root_cause": "PaymentClient null config", "severity": "critical", "escalate": true}, "emits": {"Escalation": {"service": "checkout", "root_cause": "PaymentClient null config", "severity": "critical"}}}' ;;
  page)    echo '{"output": {"ticket": "OPS-1"}}' ;;
  *)       echo "triage.sh: unknown step '$1'" >&2; exit 1 ;;
esac
