# SPDX-License-Identifier: MIT
# The snmp service: net-snmp's embedded agent (libraries.md §2). Only the
# pkg-config flags: net-snmp-config --cflags drags in perl paths and -D's.
pkg_check_modules(NETSNMP REQUIRED IMPORTED_TARGET netsnmp-agent)
target_link_libraries(convergd_services PUBLIC PkgConfig::NETSNMP)
