// main.cpp - the `vmconform` executable: the command line of app.hpp.
//
// Exit codes: 0 when nothing failed, 1 when a rule failed (or an expected failure passed),
// 2 for a usage or setup error, always with a message saying what is wrong.
#include "app.hpp"

int main(int argc, char** argv) { return vmc::cli::run_command_line(argc, argv); }
