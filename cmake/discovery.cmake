# SPDX-License-Identifier: MIT
# discovery: HMAC-SHA256 for SET_ADDRESS (docs/discovery.md) from
# OpenSSL's libcrypto; converge-console shares the codec and the key
# derivation (tools/console_discover.c).
# (PkgConfig::LIBCRYPTO comes from the top CMakeLists.txt: core uses it)
if(TARGET converge-console)
	target_sources(converge-console PRIVATE
		${CMAKE_SOURCE_DIR}/services/discovery/discovery_msg.c
		${CMAKE_SOURCE_DIR}/services/discovery/discovery_auth.c)
	target_include_directories(converge-console PRIVATE
		${CMAKE_SOURCE_DIR}/services)
	target_link_libraries(converge-console PRIVATE PkgConfig::LIBCRYPTO)
endif()
