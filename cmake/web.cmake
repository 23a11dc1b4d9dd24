# SPDX-License-Identifier: MIT
# The web service: civetweb (found by hand, its CMake package is broken on
# Debian 12, see libraries.md §1) and the page's assets embedded into a C
# file generated in the build folder, so the unit serves them from memory.

find_path(CIVETWEB_INCLUDE_DIR civetweb.h REQUIRED)
find_library(CIVETWEB_LIBRARY civetweb REQUIRED)
if(NOT TARGET civetweb::civetweb)
	add_library(civetweb::civetweb UNKNOWN IMPORTED)
	set_target_properties(civetweb::civetweb PROPERTIES
		IMPORTED_LOCATION "${CIVETWEB_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${CIVETWEB_INCLUDE_DIR}")
endif()
target_link_libraries(convergd_services PUBLIC civetweb::civetweb)

# Regenerated whenever an asset changes; the script is cmake -P itself.
set(WEB_ASSET_DIR ${CMAKE_CURRENT_LIST_DIR}/../services/web/assets)
set(WEB_ASSETS ${WEB_ASSET_DIR}/index.html ${WEB_ASSET_DIR}/app.js
	${WEB_ASSET_DIR}/app.css)
set(WEB_ASSETS_C ${CMAKE_BINARY_DIR}/generated/web_assets_data.c)
add_custom_command(OUTPUT ${WEB_ASSETS_C}
	COMMAND ${CMAKE_COMMAND} -DOUT=${WEB_ASSETS_C}
		"-DFILES=${WEB_ASSETS}"
		-P ${CMAKE_CURRENT_LIST_DIR}/web_embed.cmake
	DEPENDS ${WEB_ASSETS} ${CMAKE_CURRENT_LIST_DIR}/web_embed.cmake
	COMMENT "Embedding web assets"
	VERBATIM)
target_sources(convergd_services PRIVATE ${WEB_ASSETS_C})
