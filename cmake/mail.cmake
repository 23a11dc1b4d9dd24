# SPDX-License-Identifier: MIT
# The mail service: libESMTP (pkg-config name libesmtp-1.0, libraries.md
# §3) and OpenSSL, which the service calls itself for its own SSL_CTX
# (CA file, TLS >= 1.2, the certificate check by IP address).
pkg_check_modules(ESMTP REQUIRED IMPORTED_TARGET libesmtp-1.0)
find_package(OpenSSL REQUIRED)
target_link_libraries(convergd_services PUBLIC PkgConfig::ESMTP
	OpenSSL::SSL OpenSSL::Crypto)
