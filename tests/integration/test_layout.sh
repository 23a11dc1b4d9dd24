#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layout docs/architecture.md promises, checked on the source tree:
# core/ names no service (so a new service touches nothing in core/),
# every service lives in services/<name>/<name>.c, and registry.h
# exports only the table.
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"

# the services, from the one list: "&NAME_service,"
services=$(sed -n 's/^[[:space:]]*&\([a-z_]*\)_service,.*/\1/p' services/registry.c)
check "registry.c lists services" test -n "$services"

# core/ with comments removed: only code can name a service
strip_comments() {
	/usr/bin/python3 -c '
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
text = re.sub(r"//[^\n]*", " ", text)
sys.stdout.write(text)' "$1"
}
for f in core/*.c core/*.h; do
	strip_comments "$f" > "$WORK/$(basename "$f")"
done
for name in $services; do
	upper=$(echo "$name" | tr a-z A-Z)
	check "core/ has no enum or macro naming '$name'" \
		sh -c "! grep -nE '\\b[A-Z_]*_${upper}\\b|\\b${upper}_[A-Z]' '$WORK'/*"
	check "core/ refers to no symbol of '$name'" \
		sh -c "! grep -nE '\\b${name}_(service|priv|[a-z_]+\\()' '$WORK'/*"
	check "core/ compares nothing with the name '$name'" \
		sh -c "! grep -nE 'str(n|case)?cmp\\([^;]*\"${name}\"' '$WORK'/*"
	check "service '$name' lives in services/$name/$name.c" \
		test -f "services/$name/$name.c"
	check "registry.h does not declare ${name}_service" \
		sh -c "! grep -q '${name}_service' services/registry.h"
done
check "core/ includes nothing from services/" \
	sh -c "! grep -nE '#include \"(\\.\\./)?services/|#include \"registry\\.h\"' core/*.c core/*.h | grep -v '^core/main\\.c:'"
# the state decides when to save; persistence is plain file I/O beneath it
check "persist.c/h use nothing of the state (arrows run state -> persist)" \
	sh -c "! grep -nE '#include \"state|state_[a-z_]+\(' core/persist.c core/persist.h"
loose=$(ls services/*.c | grep -v '^services/registry\.c$' || true)
check "no service code outside services/<name>/ ($loose)" test -z "$loose"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
