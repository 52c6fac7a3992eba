#!/bin/sh
# A fake agent for the exec harness: reads the prompt on stdin and prints the reply JSON on stdout.
# compose: "Compose a greeting for NAME."  ->  {"output": {"greeting": "Hello, NAME!", "length": N}}
# shout:   "Shout this greeting: TEXT (it has N characters)."  ->  {"output": {"shouted": "TEXT!", "excited": true}}
# Only the first line is the rendered body; the runtime appends its reply instruction after a blank line.
prompt=$(head -n 1)
case "$prompt" in
  "Compose a greeting for "*)
    name=${prompt#Compose a greeting for }
    name=${name%.}
    greeting="Hello, $name!"
    printf '{"output": {"greeting": "%s", "length": %d}}\n' "$greeting" "${#greeting}"
    ;;
  "Shout this greeting: "*)
    text=${prompt#Shout this greeting: }
    text=${text% (it has *}
    shouted=$(printf '%s' "$text" | tr '[:lower:]' '[:upper:]')
    printf '{"output": {"shouted": "%s", "excited": true}}\n' "$shouted"
    ;;
  *)
    echo "greet.sh: unexpected prompt" >&2
    exit 1
    ;;
esac
