# The alias table and the rDNS rules are editable text files in data/, compiled into sg_labels so the binary
# works without them; `--aliases FILE` / `--rdns-rules FILE` replace them at run time.
set(SG_LABEL_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/org_aliases.tsv ${CMAKE_CURRENT_SOURCE_DIR}/data/rdns_rules.tsv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SG_LABEL_DATA})
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/data/org_aliases.tsv SG_ALIASES_TEXT)
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/data/rdns_rules.tsv SG_RDNS_RULES_TEXT)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/src/labels/builtin_data.cc.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/labels_builtin_data.cc @ONLY)
target_sources(sg_labels PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated/labels_builtin_data.cc)
