# SPDX-License-Identifier: MIT
# dhcp (and static addressing): core/priv_net.c changes addresses and
# routes over rtnetlink with libmnl.
pkg_check_modules(LIBMNL REQUIRED IMPORTED_TARGET libmnl)
target_link_libraries(convergd_core PUBLIC PkgConfig::LIBMNL)
