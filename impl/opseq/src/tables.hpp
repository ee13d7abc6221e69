// tables.hpp - internal: the value tables of binary format v1 (impl/opseq/FORMAT.md, "Tables").
//
// Allocation types, protections, free types and fault codes are encoded as an index into one
// of these tables; the index equal to the table's size is the escape (a raw u32 follows).
// The entries and their order are part of format version 1: never reorder or remove one,
// and append only with a new format version. Entry 0 of each table is the most common valid
// value, so that zero bytes (and truncated input) decode to a sensible operation.
#pragma once

#include <array>
#include <cstdint>

#include "vmconform/constants.hpp"

namespace vmc::opseq::detail {

inline constexpr std::array<std::uint32_t, 15> kAllocTypes = {
    MEM_COMMIT | MEM_RESERVE,                    // 0
    MEM_RESERVE,                                 // 1
    MEM_COMMIT,                                  // 2
    MEM_RESET,                                   // 3
    MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN,     // 4
    0,                                           // 5
    MEM_RESET | MEM_COMMIT,                      // 6
    0x12345678,                                  // 7
    MEM_RESERVE | MEM_TOP_DOWN,                  // 8
    MEM_RESET_UNDO,                              // 9
    MEM_COMMIT | MEM_RESERVE | MEM_LARGE_PAGES,  // 10
    MEM_COMMIT | MEM_RESERVE | MEM_WRITE_WATCH,  // 11
    MEM_RELEASE,                                 // 12
    MEM_RESERVE | MEM_PHYSICAL,                  // 13
    0xFFFFFFFF,                                  // 14
};

inline constexpr std::array<std::uint32_t, 15> kProtections = {
    PAGE_READWRITE,                      // 0
    PAGE_READONLY,                       // 1
    PAGE_NOACCESS,                       // 2
    PAGE_EXECUTE,                        // 3
    PAGE_EXECUTE_READ,                   // 4
    PAGE_EXECUTE_READWRITE,              // 5
    PAGE_READWRITE | PAGE_GUARD,         // 6
    PAGE_READONLY | PAGE_GUARD,          // 7
    0,                                   // 8
    PAGE_WRITECOPY,                      // 9
    PAGE_READONLY | PAGE_EXECUTE,        // 10 (0x12: two base protections)
    PAGE_NOACCESS | PAGE_GUARD,          // 11
    PAGE_READWRITE | PAGE_NOCACHE,       // 12
    PAGE_EXECUTE_WRITECOPY,              // 13
    PAGE_READWRITE | PAGE_WRITECOMBINE,  // 14
};

inline constexpr std::array<std::uint32_t, 7> kFreeTypes = {
    MEM_RELEASE,                 // 0
    MEM_DECOMMIT,                // 1
    0,                           // 2
    MEM_FREE,                    // 3
    MEM_RELEASE | MEM_DECOMMIT,  // 4
    MEM_DECOMMIT | 0x1,          // 5 (0x4001)
    MEM_RELEASE | 0x1,           // 6 (0x8001)
};

inline constexpr std::array<std::uint32_t, 7> kFaults = {
    static_cast<std::uint32_t>(E_FAIL),                  // 0
    static_cast<std::uint32_t>(HOST_E_TIMEOUT),          // 1
    static_cast<std::uint32_t>(HOST_E_NOT_OWNER),        // 2
    static_cast<std::uint32_t>(HOST_E_ABANDONED),        // 3
    static_cast<std::uint32_t>(HOST_E_CLRNOTAVAILABLE),  // 4
    static_cast<std::uint32_t>(E_OUTOFMEMORY),           // 5
    static_cast<std::uint32_t>(HOST_E_DEADLOCK),         // 6
};

}  // namespace vmc::opseq::detail
