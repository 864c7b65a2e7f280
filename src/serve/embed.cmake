# The web page of `serve` (src/serve/page/: HTML, script, style) is compiled into sg_serve, so the binary
# serves it with nothing else installed and nothing fetched from elsewhere.
set(SG_PAGE_FILES ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/index.html ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/app.js
                  ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/app.css)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SG_PAGE_FILES} ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page_assets.cc.in)
foreach(f ${SG_PAGE_FILES})
  file(READ ${f} text)
  string(FIND "${text}" ")sg_page\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter")
  endif()
endforeach()
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/index.html SG_PAGE_HTML)
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/app.js SG_PAGE_JS)
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page/app.css SG_PAGE_CSS)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/src/serve/page_assets.cc.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/serve_page_assets.cc @ONLY)
target_sources(sg_serve PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated/serve_page_assets.cc)
