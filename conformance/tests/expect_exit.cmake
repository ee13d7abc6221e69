# Checks the exit codes of `vmconform run`: 0 for sim, 1 for a mutant, 2 for a usage error.
foreach(case "sim;0" "mutant:partial-write;1" "no-such-backend;2")
  list(GET case 0 backend)
  list(GET case 1 expected)
  execute_process(COMMAND ${CMD} run --backend ${backend} --seed 1 --cases 50 --quiet --rule WV-ATOMIC
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL expected)
    message(FATAL_ERROR "vmconform run --backend ${backend}: exit ${rc}, expected ${expected}")
  endif()
endforeach()
