// js_data_target.cpp - example: an IJsDebugDataTarget (a script debugger's view of a target
// process), checked as it is.
//
// IJsDebugDataTarget has all four operations (AllocateVirtualMemory, FreeVirtualMemory,
// ReadMemory, WriteMemory), so every rule applies. The address space here is simulated by
// vmconform's reference model (as examples/cpp does), which makes the example correct and leaves
// the glue to read: a class declared with vmconform/com/interfaces.h; ReadMemory honouring
// JsDebugAllowPartialRead (without it a read that cannot be completed fails); WriteMemory
// returning the interface's documented E_JsDEBUG_INVALID_MEMORY_ADDRESS for an unwritable range
// (the adapter reports it as WriteVirtual's HRESULT_FROM_WIN32(ERROR_NOACCESS)); and the optional
// fault injection hook VmcInjectFreeFailure. The model is not thread-safe, and the suite calls a
// target from several threads at once (X-LINEARIZABLE), so every method holds one lock. One line, VMC_COM_JS_DATA_TARGET_PLUGIN(make_js_data_target),
// makes it a plugin:
//   vmconform run --plugin build/dev/plugins/libvmc_example_com_js_data_target.so
#include <atomic>
#include <cstdint>
#include <mutex>

#include "vmconform/com/adapters.hpp"
#include "vmconform/reference_model.hpp"

using namespace vmc::com;

namespace {

std::uint64_t next_seed = 1;  // each target chooses addresses differently, as cases should

class ModelJsDataTarget final : public IJsDebugDataTarget {
 public:
  ModelJsDataTarget() : model_(config()) {}

  // IUnknown
  HRESULT QueryInterface(REFIID riid, void** object) override {
    if (object == nullptr) return kE_POINTER;
    *object = nullptr;
    if (!same_iid(riid, kIID_IUnknown) && !same_iid(riid, kIID_IJsDebugDataTarget)) return kE_NOINTERFACE;
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

  // IJsDebugDataTarget
  HRESULT ReadMemory(UINT64 address, JsDebugReadMemoryFlags flags, BYTE* buffer, DWORD size, DWORD* read) override {
    const std::lock_guard<std::mutex> hold(lock_);
    if (read == nullptr) return kE_POINTER;
    *read = 0;
    std::uint32_t n = 0;
    const HRESULT hr = model_.read_virtual(address, buffer, size, &n);
    if (hr != kS_OK) return kE_JsDEBUG_INVALID_MEMORY_ADDRESS;
    if (n < size && (flags & JsDebugAllowPartialRead) == 0) return kE_JsDEBUG_INVALID_MEMORY_ADDRESS;
    *read = n;
    return kS_OK;
  }
  HRESULT WriteMemory(UINT64 address, BYTE* memory, DWORD size) override {
    const std::lock_guard<std::mutex> hold(lock_);
    const HRESULT hr = model_.write_virtual(address, memory, size);
    return hr == kS_OK ? kS_OK : kE_JsDEBUG_INVALID_MEMORY_ADDRESS;
  }
  HRESULT AllocateVirtualMemory(UINT64 address, DWORD size, DWORD type, DWORD protect, UINT64* allocated) override {
    const std::lock_guard<std::mutex> hold(lock_);
    if (allocated == nullptr) return kE_POINTER;
    std::uint64_t out = 0;
    const HRESULT hr = model_.allocate_virtual_memory(address, size, type, protect, &out);
    *allocated = out;
    return hr;
  }
  HRESULT FreeVirtualMemory(UINT64 address, DWORD size, DWORD type) override {
    const std::lock_guard<std::mutex> hold(lock_);
    return model_.virtual_free(address, size, type);
  }
  HRESULT GetTlsValue(DWORD, UINT32, UINT64*) override { return kE_NOTIMPL; }
  HRESULT ReadBSTR(UINT64, BSTR*) override { return kE_NOTIMPL; }
  HRESULT ReadNullTerminatedString(UINT64, UINT16, UINT32, BSTR*) override { return kE_NOTIMPL; }
  HRESULT CreateStackFrameEnumerator(DWORD, IEnumJsStackFrames**) override { return kE_NOTIMPL; }
  HRESULT GetThreadContext(DWORD, ULONG32, ULONG32, void*) override { return kE_NOTIMPL; }

  /// vmconform's fault-injection hook (adapters.hpp): the next FreeVirtualMemory returns `code`.
  bool VmcInjectFreeFailure(HRESULT code) {
    const std::lock_guard<std::mutex> hold(lock_);
    return model_.inject_host_fault(code);
  }

 private:
  ~ModelJsDataTarget() = default;
  static vmc::ModelConfig config() {
    vmc::ModelConfig c;
    c.seed = next_seed++;
    return c;
  }

  std::atomic<ULONG> references_{1};
  std::mutex lock_;
  vmc::ReferenceModel model_;
};

}  // namespace

/// The factory: a new, empty simulated address space with one reference.
ModelJsDataTarget* make_js_data_target(const char*) { return new ModelJsDataTarget(); }

VMC_COM_JS_DATA_TARGET_PLUGIN(make_js_data_target)
