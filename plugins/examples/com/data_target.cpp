// data_target.cpp - example: an ICorDebugMutableDataTarget over a process's memory, checked as it is.
//
// What a debugger or a dump tool writes: a data target that reads and writes memory someone else
// allocated, with no allocate or free of its own. It reaches the memory of a Linux process through
// /proc/PID/maps (which pages exist, with which protection) and /proc/PID/mem (the bytes): its own
// process by default, process N with the option `pid=N`. WriteVirtual is correct the simple way
// the rule asks for: it checks that every page of the whole range is writable before it writes one
// byte (WV-ATOMIC), and treats code pages as writable as WriteProcessMemory does (WV-EXEC; a write
// through /proc/PID/mem reaches them); ReadVirtual returns the readable prefix (RV-FIRST-BYTE,
// RV-PREFIX). The class is declared with vmconform/com/interfaces.h; one line,
// VMC_COM_DATA_TARGET_PLUGIN(make_data_target), makes it a plugin, and the suite arranges the
// memory it is tested on (README.md, "Validating your implementation"):
//   vmconform run --plugin build/dev/plugins/libvmc_example_com_data_target.so
//   vmconform run --plugin build/dev/plugins/libvmc_example_com_data_target.so --plugin-options pid=1234
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "vmconform/com/adapters.hpp"

using namespace vmc::com;

namespace {

constexpr HRESULT kNoAccess = static_cast<HRESULT>(0x800703E6u);  // HRESULT_FROM_WIN32(ERROR_NOACCESS)

class ProcessDataTarget final : public ICorDebugMutableDataTarget {
 public:
  ProcessDataTarget(int pid, int mem_fd) : pid_(pid), mem_fd_(mem_fd) {}

  // IUnknown
  HRESULT QueryInterface(REFIID riid, void** object) override {
    if (object == nullptr) return kE_POINTER;
    *object = nullptr;
    if (!same_iid(riid, kIID_IUnknown) && !same_iid(riid, kIID_ICorDebugDataTarget) &&
        !same_iid(riid, kIID_ICorDebugMutableDataTarget))
      return kE_NOINTERFACE;
    AddRef();
    *object = this;
    return kS_OK;
  }
  ULONG AddRef() override { return ++references_; }
  ULONG Release() override {
    const ULONG left = --references_;
    if (left == 0) delete this;
    return left;
  }

  // ICorDebugDataTarget
  HRESULT GetPlatform(CorDebugPlatform* platform) override {
    if (platform == nullptr) return kE_POINTER;
    *platform = CORDB_PLATFORM_WINDOWS_AMD64;  // the memory follows the rules of Windows on x64
    return kS_OK;
  }
  HRESULT ReadVirtual(CORDB_ADDRESS address, BYTE* buffer, ULONG32 requested, ULONG32* read) override {
    if (read == nullptr) return kE_POINTER;
    *read = 0;
    if (requested == 0) return kS_OK;
    if (buffer == nullptr) return kE_POINTER;
    const std::uint64_t readable = accessible(address, requested, "r");
    if (readable == 0) return kCORDBG_E_READVIRTUAL_FAILURE;  // the first byte cannot be read
    const ssize_t n = ::pread(mem_fd_, buffer, readable, static_cast<off_t>(address));
    if (n <= 0) return kCORDBG_E_READVIRTUAL_FAILURE;
    *read = static_cast<ULONG32>(n);
    return kS_OK;
  }
  HRESULT GetThreadContext(DWORD, ULONG32, ULONG32, BYTE*) override { return kE_NOTIMPL; }

  // ICorDebugMutableDataTarget
  HRESULT WriteVirtual(CORDB_ADDRESS address, const BYTE* buffer, ULONG32 requested) override {
    if (requested == 0) return kS_OK;
    if (buffer == nullptr) return kE_POINTER;
    if (address + requested < address) return kNoAccess;
    // The whole range first: if any byte cannot be written, nothing is.
    if (accessible(address, requested, "wx") < requested) return kNoAccess;
    const ssize_t n = ::pwrite(mem_fd_, buffer, requested, static_cast<off_t>(address));
    return n == static_cast<ssize_t>(requested) ? kS_OK : kNoAccess;
  }
  HRESULT SetThreadContext(DWORD, ULONG32, const BYTE*) override { return kE_NOTIMPL; }
  HRESULT ContinueStatusChanged(DWORD, CORDB_CONTINUE_STATUS) override { return kE_NOTIMPL; }

 private:
  ~ProcessDataTarget() { ::close(mem_fd_); }

  /// How many bytes from `address` (at most n) lie in consecutive mappings whose permissions hold
  /// one of `any_of` ("r": readable; "wx": writable, or code that WriteProcessMemory writes too).
  std::uint64_t accessible(std::uint64_t address, std::uint64_t n, const char* any_of) const {
    const std::string path = "/proc/" + std::to_string(pid_) + "/maps";
    std::FILE* maps = std::fopen(path.c_str(), "r");
    if (maps == nullptr) return 0;
    std::uint64_t at = address;
    const std::uint64_t end = address + n;
    char line[512];
    while (at < end && std::fgets(line, sizeof line, maps) != nullptr) {
      unsigned long long low = 0, high = 0;
      char perms[8] = {};
      if (std::sscanf(line, "%llx-%llx %7s", &low, &high, perms) != 3 || high <= at) continue;
      if (low > at || std::strpbrk(perms, any_of) == nullptr) break;  // a hole, or a page it cannot touch
      at = high < end ? high : end;
    }
    std::fclose(maps);
    return at - address;
  }

  std::atomic<ULONG> references_{1};
  int pid_;
  int mem_fd_;
};

}  // namespace

/// The factory: a new data target with one reference, over process `pid=N` or this one.
ProcessDataTarget* make_data_target(const char* options) {
  const char* pid_text = vmc::com::adapter::option(options, "pid");
  const int pid = pid_text != nullptr ? std::atoi(pid_text) : static_cast<int>(::getpid());
  const std::string mem = "/proc/" + std::to_string(pid) + "/mem";
  const int fd = ::open(mem.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return new ProcessDataTarget(pid, fd);
}

VMC_COM_DATA_TARGET_PLUGIN(make_data_target)
