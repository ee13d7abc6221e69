// raw_targets.cpp - WriteVirtual done the naive ways debuggers' data targets often do it.
//
// No look at the host's table: the bytes go straight to the tracee with one primitive and the
// primitive's own verdict becomes the HRESULT - S_OK if every byte moved, ERROR_PARTIAL_COPY if
// only some did, otherwise HRESULT_FROM_WIN32 of the errno (errno values are not Win32 error
// codes; that confusion is part of what these adapters demonstrate). Everything else is the
// conformant ProcessTarget. A dead tracee still gives E_UNEXPECTED.
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "process_target.hpp"

namespace vmc::process {

namespace {
hresult from_errno(int err) {
  return hresult_from_win32(static_cast<std::uint32_t>(err == 0 ? ERROR_PARTIAL_COPY : err));
}
}  // namespace

RawTarget::RawTarget(std::shared_ptr<Tracee> tracee, RawWrite how)
    : ProcessTarget(std::move(tracee)), how_(how) {}

hresult RawTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                                 std::uint32_t bytes_requested) {
  if (!tracee().alive()) return E_UNEXPECTED;
  std::lock_guard lock(table_mutex());  // only to serialise with the other calls
  hresult hr = E_UNEXPECTED;
  switch (how_) {
    case RawWrite::pvwritev: hr = write_pvwritev(address, buffer, bytes_requested); break;
    case RawWrite::procmem: hr = write_procmem(address, buffer, bytes_requested); break;
    case RawWrite::ptrace: hr = write_ptrace(address, buffer, bytes_requested); break;
  }
  return tracee().alive() ? hr : E_UNEXPECTED;
}

hresult RawTarget::write_pvwritev(std::uint64_t address, const std::uint8_t* buffer,
                                  std::uint32_t n) {
  iovec local{const_cast<std::uint8_t*>(buffer), n};
  iovec remote{reinterpret_cast<void*>(address), n};
  const ssize_t put = process_vm_writev(pid(), &local, 1, &remote, 1, 0);
  const int err = put < 0 ? errno : 0;
  if (put == static_cast<ssize_t>(n)) return S_OK;
  if (err == ESRCH) tracee().note_vanishing();
  return from_errno(err);
}

hresult RawTarget::write_procmem(std::uint64_t address, const std::uint8_t* buffer,
                                 std::uint32_t n) {
  const ssize_t put = pwrite(tracee().mem_fd(), buffer, n, static_cast<off_t>(address));
  const int err = put < 0 ? errno : 0;
  if (put == static_cast<ssize_t>(n)) return S_OK;
  if (put == 0) tracee().note_vanishing();  // only a process without memory writes nothing
  return from_errno(err);
}

hresult RawTarget::write_ptrace(std::uint64_t address, const std::uint8_t* buffer,
                                std::uint32_t n) {
  if (n == 0) return S_OK;
  if (buffer == nullptr) return E_POINTER;  // we copy from it ourselves
  constexpr std::uint64_t kWord = sizeof(long);
  int failure = 0;
  const bool ran = tracee().with_ptrace([&](pid_t pid) {
    // Offsets from the first aligned word; the request covers [head, total) of them.
    const std::uint64_t first = address - address % kWord, head = address % kWord;
    const std::uint64_t total = head + n;
    for (std::uint64_t off = 0; off < total; off += kWord) {
      const std::uint64_t word = first + off;  // may wrap for absurd addresses: ptrace fails
      const std::uint64_t lo = std::max(off, head), hi = std::min(off + kWord, total);
      long value = 0;
      if (lo != off || hi != off + kWord) {  // an edge: read, modify, write
        errno = 0;
        value = ptrace(PTRACE_PEEKDATA, pid, reinterpret_cast<void*>(word), nullptr);
        if (errno != 0) {
          failure = errno;
          return;
        }
      }
      std::memcpy(reinterpret_cast<std::uint8_t*>(&value) + (lo - off), buffer + (lo - head),
                  hi - lo);
      if (ptrace(PTRACE_POKEDATA, pid, reinterpret_cast<void*>(word),
                 reinterpret_cast<void*>(value)) != 0) {
        failure = errno;
        return;
      }
    }
  });
  if (!ran) return E_UNEXPECTED;
  if (failure == ESRCH) tracee().note_vanishing();
  return failure == 0 ? S_OK : from_errno(failure);
}

}  // namespace vmc::process
