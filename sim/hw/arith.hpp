#pragma once
/// Accumulator arithmetic of the compute units (the systolic PEs and the vector lanes): integer
/// accumulators wrap around modulo 2^bits like the hardware's registers, through unsigned
/// arithmetic, so an overflowing sum is defined behaviour and equals the golden model's (which
/// sums exactly in 64 bits and keeps the low bits). Floating-point accumulators add as usual.
#include <type_traits>

namespace arraysim::hw {

/// Multiply-accumulate with the accumulator register's wrap-around for integers: acc + a·b. The
/// product is exact in TAcc (the configuration only allows accumulators that hold any product of
/// two operands).
template <class TAcc, class TIn> inline TAcc mac(TAcc acc, TIn a, TIn b) {
  if constexpr (std::is_integral_v<TAcc>) {
    using U = std::make_unsigned_t<TAcc>;
    return static_cast<TAcc>(static_cast<U>(acc) + static_cast<U>(static_cast<TAcc>(a) * static_cast<TAcc>(b)));
  } else {
    return acc + static_cast<TAcc>(a) * static_cast<TAcc>(b);
  }
}
/// x + y with the accumulator register's wrap-around for integers.
template <class TAcc> inline TAcc add_acc(TAcc x, TAcc y) {
  if constexpr (std::is_integral_v<TAcc>) {
    using U = std::make_unsigned_t<TAcc>;
    return static_cast<TAcc>(static_cast<U>(x) + static_cast<U>(y));
  } else {
    return x + y;
  }
}

}  // namespace arraysim::hw
