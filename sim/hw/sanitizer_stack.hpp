#pragma once
/// AddressSanitizer's view of the main thread's stack after a SystemC simulation returns.
///
/// libsystemc 2.3.4 tells ASan about every coroutine switch (__sanitizer_start_switch_fiber, a
/// weak reference that binds when the program is built with -fsanitize=address). For the switch
/// back to sc_main's own stack it passes no bounds, so ASan then believes the main thread's stack is empty. Anything
/// that later unwinds on that stack — an exception thrown after sc_start() returns — makes ASan skip unpoisoning
/// ("ASan is ignoring requested __asan_handle_no_return") and report false stack overflows, and
/// LeakSanitizer may scan the wrong range at exit. restore_main_stack_bounds() repeats that
/// switch with the real bounds of the calling thread's stack; without AddressSanitizer it does
/// nothing. Run the kernel through start_simulation(), which pairs the two.

#include <systemc>

#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#endif

namespace arraysim::hw {

inline void restore_main_stack_bounds() {
#if defined(__SANITIZE_ADDRESS__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* lowest = nullptr;
  std::size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &lowest, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || size == 0) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, lowest, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

/// sc_core::sc_start(args...) on the main thread, then restore_main_stack_bounds().
template <class... Args> void start_simulation(Args&&... args) {
  sc_core::sc_start(std::forward<Args>(args)...);
  restore_main_stack_bounds();
}

}  // namespace arraysim::hw
