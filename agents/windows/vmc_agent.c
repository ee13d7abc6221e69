/* vmc_agent.c - the Windows agent: the agent protocol (spec/agent-protocol.md) over real Win32 calls.
 *
 * A console program built with mingw-w64 and run under Wine (or on Windows): `vmc_agent.exe MODE
 * PROCESS`, MODE `raw` or `reference`, PROCESS `self` (the agent's own memory) or `child` (a child
 * process it starts, reached with VirtualAllocEx, VirtualFreeEx, VirtualQueryEx,
 * WriteProcessMemory and ReadProcessMemory on its handle, as a debugger reaches its debuggee).
 *
 * - raw: every operation is one Win32 call, as real data targets are written (the .NET runtime's
 *   local data target writes with one WriteProcessMemory call). Whatever Win32 returns is the
 *   answer; raw keeps a list of its successful reservations only to release them at `close`.
 * - reference: vmconform's conformant implementation on top of Win32 (reference.c): a table of host
 *   allocations, arguments checked in the win32 profile's order, whole-range VirtualQueryEx checks
 *   before a write, page-by-page reads: the code a host should copy.
 *
 * Foreign memory (VF-FOREIGN) is memory the process holds that the host did not allocate: a block
 * allocated directly with VirtualAlloc(Ex) per target, a block of a private heap, a buffer on the
 * stack of a parked thread and a buffer in the program's image. The agent allocates nothing while
 * it serves requests (its buffers are reserved at start), so a released range is never reused by
 * the agent itself and the answers depend only on the requests.
 */
#include "vmc_agent.h"

#include <stdio.h>
#include <string.h>

static char *g_line;    /* one request line */
static char *g_out;     /* one response line */
static BYTE *g_data;    /* decoded write data, read buffer */
static HANDLE g_in, g_out_handle;

/* ---- the child process and the parked thread ---- */

static __attribute__((aligned(4096))) BYTE g_image_buffer[2 * 4096] = {1}; /* in .data: image memory */
static volatile LONG_PTR g_stack_buffer;
static HANDLE g_stack_ready;

static DWORD WINAPI parked_thread(LPVOID unused) {
  (void)unused;
  volatile BYTE buffer[8192];
  for (int i = 0; i < (int)sizeof buffer; ++i) buffer[i] = 0xC3;
  g_stack_buffer = (LONG_PTR)(buffer + 4096 - ((LONG_PTR)buffer % 4096) + 256); /* inside the stack, past a page start */
  SetEvent(g_stack_ready);
  Sleep(INFINITE);
  return 0;
}

/* The process's own foreign memory (in whichever process runs this): heap, stack, image. */
static void make_process_foreign(vmc_u64 out[3]) {
  HANDLE heap = HeapCreate(0, 0, 0);
  BYTE *block = heap ? HeapAlloc(heap, 0, 16384) : NULL;
  if (block) memset(block, 0x5A, 16384);
  g_stack_ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  CreateThread(NULL, 65536, parked_thread, NULL, 0, NULL);
  WaitForSingleObject(g_stack_ready, 5000);
  g_image_buffer[4096] = 1;
  out[0] = (vmc_u64)(ULONG_PTR)(block ? block + 4096 : NULL);
  out[1] = (vmc_u64)g_stack_buffer;
  out[2] = (vmc_u64)(ULONG_PTR)(g_image_buffer + 4096);
}

/* `vmc_agent.exe child PARENT_PID`: make the foreign memory, say where it is, then wait for the
 * parent to end. The wait is a wineserver wait (WaitForSingleObject), where Wine runs the parent's
 * VirtualAllocEx, VirtualFreeEx and VirtualQueryEx calls at once; a thread blocked in ReadFile
 * would have to be interrupted by a signal for each of them, several times slower. */
static int run_child(DWORD parent_pid) {
  vmc_u64 f[3];
  make_process_foreign(f);
  HANDLE parent = OpenProcess(SYNCHRONIZE, FALSE, parent_pid);
  char line[128];
  DWORD n = (DWORD)snprintf(line, sizeof line, "%llx %llx %llx\n", f[0], f[1], f[2]);
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line, n, &n, NULL);
  if (parent != NULL) WaitForSingleObject(parent, INFINITE);
  TerminateProcess(GetCurrentProcess(), 0);
  return 0;
}

/* Starts the child with pipes on its stdin and stdout; reads where its foreign memory is. */
static HANDLE start_child(vmc_u64 foreign[3]) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE in_read, in_write, out_read, out_write;
  if (!CreatePipe(&in_read, &in_write, &sa, 0) || !CreatePipe(&out_read, &out_write, &sa, 0)) return NULL;
  SetHandleInformation(in_write, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(out_read, HANDLE_FLAG_INHERIT, 0);
  char exe[MAX_PATH], cmd[MAX_PATH + 32];
  GetModuleFileNameA(NULL, exe, sizeof exe);
  snprintf(cmd, sizeof cmd, "\"%s\" child %lu", exe, GetCurrentProcessId());
  STARTUPINFOA si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in_read;
  si.hStdOutput = out_write;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi;
  if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) return NULL;
  CloseHandle(in_read);
  CloseHandle(out_write);
  CloseHandle(pi.hThread);
  char line[128];
  DWORD got = 0, n;
  while (got < sizeof line - 1 && ReadFile(out_read, line + got, 1, &n, NULL) && n == 1 && line[got] != '\n') ++got;
  line[got] = 0;
  if (sscanf(line, "%llx %llx %llx", &foreign[0], &foreign[1], &foreign[2]) != 3) return NULL;
  CloseHandle(in_write);
  return pi.hProcess; /* the child waits for this process to end */
}

/* ---- request parsing: the flat objects the host sends ---- */

/* The value of "key" in the line: a pointer to its first character (after a quote for strings). */
static const char *find_value(const char *line, const char *key) {
  char pattern[32];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(line, pattern);
  if (at == NULL) return NULL;
  at += strlen(pattern);
  while (*at == ' ') ++at;
  return *at == '"' ? at + 1 : at;
}

static vmc_u64 number(const char *line, const char *key) {
  const char *v = find_value(line, key);
  if (v == NULL) return 0;
  return (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? strtoull(v + 2, NULL, 16) : strtoull(v, NULL, 10);
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* ---- responses ---- */

static size_t g_out_len;

static void out_text(const char *s) {
  size_t n = strlen(s);
  memcpy(g_out + g_out_len, s, n);
  g_out_len += n;
}

static void out_field_hex(const char *key, vmc_u64 v) {
  char b[64];
  snprintf(b, sizeof b, ",\"%s\":\"0x%llx\"", key, v);
  out_text(b);
}

static void out_field_int(const char *key, unsigned long v) {
  char b[64];
  snprintf(b, sizeof b, ",\"%s\":%lu", key, v);
  out_text(b);
}

static void out_hr(vmc_hr hr) {
  char b[32];
  snprintf(b, sizeof b, ",\"hr\":\"0x%08lx\"", (unsigned long)(DWORD)hr);
  out_text(b);
}

static void out_bytes(const char *key, const BYTE *data, size_t n) {
  static const char digits[] = "0123456789abcdef";
  out_text(",\"");
  out_text(key);
  out_text("\":\"");
  for (size_t i = 0; i < n; ++i) {
    g_out[g_out_len++] = digits[data[i] >> 4];
    g_out[g_out_len++] = digits[data[i] & 15];
  }
  out_text("\"");
}

static void send_out(void) {
  out_text("}\n");
  DWORD done = 0, n;
  while (done < g_out_len && WriteFile(g_out_handle, g_out + done, (DWORD)(g_out_len - done), &n, NULL)) done += n;
}

/* Reads one line into g_line; 0 at the end of input. */
static int read_line(void) {
  static char buffer[65536];
  static DWORD have = 0, at = 0;
  size_t len = 0;
  for (;;) {
    if (at == have) {
      if (!ReadFile(g_in, buffer, sizeof buffer, &have, NULL) || have == 0) return 0;
      at = 0;
    }
    char c = buffer[at++];
    if (c == '\n') break;
    if (len < VMC_AGENT_MAX_LINE) g_line[len++] = c;
  }
  g_line[len] = 0;
  return 1;
}

/* ---- the in-process benchmark (bench/agents.sh) ---- */

/* The mix of bench/agent_bench.cpp, called directly instead of through the protocol: allocate 64
 * KiB, write 256 bytes, read them back, query, release; for `seconds`; prints one JSON line. */
static int run_bench(vmc_session *s, double seconds) {
  vmc_target *t = vmc_open(s);
  BYTE data[256], back[256];
  memset(data, 0x5A, sizeof data);
  LARGE_INTEGER f, start, now;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&start);
  unsigned long long ops = 0;
  for (;;) {
    QueryPerformanceCounter(&now);
    if ((double)(now.QuadPart - start.QuadPart) / (double)f.QuadPart >= seconds) break;
    vmc_u64 base = 0;
    DWORD got = 0;
    MEMORY_BASIC_INFORMATION m;
    if (vmc_allocate(s, t, 0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &base) != VMC_S_OK ||
        vmc_write(s, t, base + 0x100, data, sizeof data) != VMC_S_OK ||
        vmc_read(s, t, base + 0x100, back, sizeof back, &got) != VMC_S_OK || got != sizeof back ||
        vmc_query(s, t, base, &m) != VMC_S_OK || vmc_free(s, t, base, 0, MEM_RELEASE) != VMC_S_OK) {
      fprintf(stderr, "vmc_agent: a call of the mix failed\n");
      return 1;
    }
    ops += 5;
  }
  const double took = (double)(now.QuadPart - start.QuadPart) / (double)f.QuadPart;
  printf("{\"ops\":%llu,\"seconds\":%.3f,\"ops_per_second\":%.1f}\n", ops, took, (double)ops / took);
  fflush(stdout);
  return 0;
}

/* ---- the loop ---- */

#define MAX_TARGETS VMC_MAX_TARGETS
static vmc_target *g_targets[MAX_TARGETS];

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "child") == 0) return run_child((DWORD)strtoul(argv[2], NULL, 10));
  const int bench = argc >= 5 && strcmp(argv[1], "bench") == 0;
  if (bench) argv += 1, argc -= 1;  /* bench MODE PROCESS SECONDS */
  /* dll self --dll PATH --interface NAME --factory SYMBOL [--options STRING] (dll.c) */
  const int dll = !bench && argc >= 3 && strcmp(argv[1], "dll") == 0;
  const char *dll_path = NULL, *dll_interface = NULL, *dll_factory = NULL, *dll_options = "";
  int dll_usage = 0;
  for (int i = 3; dll && i < argc; i += 2) {
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (value == NULL) dll_usage = 1;
    else if (strcmp(argv[i], "--dll") == 0) dll_path = value;
    else if (strcmp(argv[i], "--interface") == 0) dll_interface = value;
    else if (strcmp(argv[i], "--factory") == 0) dll_factory = value;
    else if (strcmp(argv[i], "--options") == 0) dll_options = value;
    else dll_usage = 1;
  }
  if (dll && (dll_usage || !dll_path || !dll_interface || !dll_factory || strcmp(argv[2], "self") != 0)) {
    fprintf(stderr, "usage: vmc_agent.exe dll self --dll PATH --interface NAME --factory SYMBOL [--options STRING]\n"
                    "  NAME: ICorDebugDataTarget, ICorDebugMutableDataTarget, IJsDebugDataTarget or IHostMemoryManager;\n"
                    "  SYMBOL: an exported `void *SYMBOL(const char *options)` returning the object (one reference)\n");
    return 2;
  }
  if (!dll && (argc < 3 || (strcmp(argv[1], "raw") != 0 && strcmp(argv[1], "reference") != 0) ||
               (strcmp(argv[2], "self") != 0 && strcmp(argv[2], "child") != 0))) {
    fprintf(stderr, "usage: vmc_agent.exe raw|reference self|child (speaks vmconform-agent/1 on stdin/stdout)\n"
                    "       vmc_agent.exe bench raw|reference self|child SECONDS (the mix of bench/agent_bench.cpp in process)\n"
                    "       vmc_agent.exe dll self --dll PATH --interface NAME --factory SYMBOL [--options STRING]\n");
    return 2;
  }
  vmc_session session;
  memset(&session, 0, sizeof session);
  session.reference = strcmp(argv[1], "reference") == 0;
  g_in = GetStdHandle(STD_INPUT_HANDLE);
  g_out_handle = GetStdHandle(STD_OUTPUT_HANDLE);
  g_line = VirtualAlloc(NULL, VMC_AGENT_MAX_LINE + 1, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  g_out = VirtualAlloc(NULL, VMC_AGENT_MAX_LINE + 256, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  g_data = VirtualAlloc(NULL, VMC_AGENT_MAX_DATA, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  session.page = si.dwPageSize;
  session.granularity = si.dwAllocationGranularity;
  if (strcmp(argv[2], "child") == 0) {
    session.process = start_child(session.process_foreign);
    if (session.process == NULL) {
      fprintf(stderr, "vmc_agent: cannot start the child process (error %lu)\n", GetLastError());
      return 3;
    }
  } else {
    session.process = GetCurrentProcess();
    make_process_foreign(session.process_foreign);
  }
  if (bench) {
    const int rc = run_bench(&session, atof(argv[3]));
    TerminateProcess(GetCurrentProcess(), (UINT)rc);
  }
  if (dll && !vmc_dll_load(&session, dll_path, dll_interface, dll_factory, dll_options)) return 2;
  char name[96];
  snprintf(name, sizeof name, "win32-%s-%s", dll ? dll_interface : argv[1], argv[2]);

  while (read_line()) {
    const char *line = g_line;
    const char *op = find_value(line, "op");
    g_out_len = 0;
    char head[48];
    snprintf(head, sizeof head, "{\"id\":%llu", number(line, "id"));
    out_text(head);
    if (op == NULL) {
      out_text(",\"error\":\"no op\"");
      send_out();
      continue;
    }
    const vmc_u64 t = number(line, "target");
    vmc_target *target = (t >= 1 && t < MAX_TARGETS) ? g_targets[t] : NULL;
    const int needs_target = strncmp(op, "hello\"", 6) && strncmp(op, "open\"", 5) && strncmp(op, "bye\"", 4);
    if (needs_target && target == NULL) {
      out_text(",\"error\":\"no such target\"");
    } else if (!strncmp(op, "hello\"", 6)) {
      out_text(",\"protocol\":\"vmconform-agent/1\",\"name\":\"");
      out_text(name);
      out_text("\"");
      out_field_int("page_size", session.page);
      out_field_int("granularity", session.granularity);
      out_text(",\"query\":true");
      out_text(session.reference && !dll ? ",\"fault_injection\":true" : ",\"fault_injection\":false");
      if (dll) {
        out_text(",\"interface\":\"");
        out_text(vmc_dll_interface(&session));
        out_text("\",\"operations\":");
        out_text(vmc_dll_operations(&session));
        out_text(",\"arranged_by\":\"the Windows agent's reference mode (Win32 calls in its own process)\"");
      }
    } else if (!strncmp(op, "open\"", 5)) {
      int slot = 1;
      while (slot < MAX_TARGETS && g_targets[slot] != NULL) ++slot;
      if (slot == MAX_TARGETS) {
        out_text(",\"error\":\"too many targets\"");
      } else {
        g_targets[slot] = vmc_open(&session);
        const char *why = dll && g_targets[slot] ? vmc_dll_open(&session, g_targets[slot]) : NULL;
        if (g_targets[slot] == NULL || why != NULL) {
          if (g_targets[slot] != NULL) vmc_close(&session, g_targets[slot]);
          g_targets[slot] = NULL;
          out_text(",\"error\":\"");
          out_text(why != NULL ? why : "no target left");
          out_text("\"");
        } else {
          out_field_int("target", (unsigned long)slot);
        }
      }
    } else if (!strncmp(op, "close\"", 6)) {
      vmc_close(&session, target);
      g_targets[t] = NULL;
    } else if (!strncmp(op, "allocate\"", 9)) {
      vmc_u64 address = 0;
      vmc_hr hr = vmc_allocate(&session, target, number(line, "address"), (DWORD)number(line, "size"),
                               (DWORD)number(line, "type"), (DWORD)number(line, "protect"), &address);
      out_hr(hr);
      out_field_hex("address", address);
    } else if (!strncmp(op, "free\"", 5)) {
      out_hr(vmc_free(&session, target, number(line, "address"), number(line, "size"), (DWORD)number(line, "type")));
    } else if (!strncmp(op, "write\"", 6)) {
      const char *hex = find_value(line, "data");
      size_t n = 0;
      while (hex && hex[2 * n] != '"' && hex[2 * n] && n < VMC_AGENT_MAX_DATA) {
        int hi = hex_value(hex[2 * n]), lo = hex_value(hex[2 * n + 1]);
        if (hi < 0 || lo < 0) break;
        g_data[n++] = (BYTE)(hi << 4 | lo);
      }
      out_hr(vmc_write(&session, target, number(line, "address"), g_data, (DWORD)n));
    } else if (!strncmp(op, "read\"", 5)) {
      vmc_u64 size = number(line, "size");
      if (size > VMC_AGENT_MAX_DATA) {
        out_text(",\"error\":\"read larger than the agent's buffer\"");
      } else {
        DWORD got = 0;
        out_hr(vmc_read(&session, target, number(line, "address"), g_data, (DWORD)size, &got));
        out_bytes("data", g_data, got);
      }
    } else if (!strncmp(op, "query\"", 6)) {
      MEMORY_BASIC_INFORMATION m;
      vmc_hr hr = vmc_query(&session, target, number(line, "address"), &m);
      out_hr(hr);
      if (hr >= 0) {
        out_field_hex("base", (vmc_u64)(ULONG_PTR)m.BaseAddress);
        out_field_hex("allocation_base", (vmc_u64)(ULONG_PTR)m.AllocationBase);
        out_field_hex("region_size", (vmc_u64)m.RegionSize);
        out_field_int("allocation_protect", m.AllocationProtect);
        out_field_int("state", m.State);
        out_field_int("protect", m.Protect);
        out_field_int("type", m.Type);
      }
    } else if (!strncmp(op, "foreign\"", 8)) {
      vmc_foreign f[8];
      int n = vmc_foreign_memory(&session, target, f, 8);
      out_text(",\"regions\":[");
      for (int i = 0; i < n; ++i) {
        char b[160];
        snprintf(b, sizeof b, "%s{\"address\":\"0x%llx\",\"size\":\"0x%llx\",\"what\":\"%s\"}", i ? "," : "",
                 f[i].address, f[i].size, f[i].what);
        out_text(b);
      }
      out_text("]");
    } else if (!strncmp(op, "fault\"", 6)) {
      out_text(vmc_inject_fault(&session, target, (vmc_hr)(DWORD)number(line, "hr")) ? ",\"injected\":true"
                                                                                       : ",\"injected\":false");
    } else if (!strncmp(op, "bye\"", 4)) {
      send_out();
      break;
    } else {
      out_text(",\"error\":\"unknown op\"");
    }
    send_out();
  }
  /* No DLL detach, no CRT exit: the suite may have decommitted foreign memory of this process. */
  TerminateProcess(GetCurrentProcess(), 0);
  return 0;
}
