# Generates a C++ source holding spec/rules.json as a raw string (run at build time, so a
# change to the catalogue rebuilds everything that reads it).
file(READ "${INPUT}" content)
string(FIND "${content}" ")vmcrules\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "spec/rules.json contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}" "// Generated from spec/rules.json; do not edit.\nnamespace vmc { extern const char* const kRulesJson; const char* const kRulesJson = R\"vmcrules(${content})vmcrules\"; }\n")
