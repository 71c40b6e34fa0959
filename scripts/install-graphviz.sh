#!/bin/sh
# Graphviz's `dot` renders the diagrams. Install Debian's package when we may; otherwise say how.
if command -v dot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) && exit 0
fi
if command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) && exit 0
fi
echo "note: graphviz's dot is missing; diagrams will be written as .dot files only." >&2
echo "      install it with: apt-get install graphviz (Debian/Ubuntu) or brew install graphviz (macOS)" >&2
exit 0
