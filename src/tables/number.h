// Decimal: the table store's number type, an exact decimal with at most 38
// significant digits and a magnitude between 1E-130 and
// 9.9999999999999999999999999999999999999E+125 (or zero), which is what
// DynamoDB's Number accepts. No binary floating point is involved anywhere:
// parsing, printing, comparison and arithmetic work on decimal digits.
//
// A Decimal is a small immutable value type; any thread may use it.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus::tables {

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxExponent = 125;   // of the leading digit
  static constexpr int kMinExponent = -130;  // of the leading digit

  Decimal() = default;  // zero

  // Parses DynamoDB's number syntax: an optional sign, digits with at most one
  // decimal point, and an optional exponent (e/E, optional sign, digits). No
  // whitespace, "NaN" or "Infinity". Errors are InvalidArgument with
  // DynamoDB's messages (conversion, overflow, underflow, too many digits).
  static Result<Decimal> Parse(std::string_view text);
  static Decimal FromInt(int64_t value);

  // Canonical plain notation: no exponent, no leading or trailing zeros, no
  // '+', "0" for zero ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0").
  std::string ToString() const;

  // Exact numeric comparison: negative, zero or positive like memcmp.
  int Compare(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return Compare(other) == 0; }
  std::strong_ordering operator<=>(const Decimal& other) const { return Compare(other) <=> 0; }

  // Exact sums. A result outside the supported range, or one that would need
  // more than 38 significant digits, is an InvalidArgument "Number overflow"
  // or "Number underflow" error.
  Result<Decimal> Add(const Decimal& other) const;
  Result<Decimal> Subtract(const Decimal& other) const;
  Decimal Negated() const;

  bool IsZero() const { return ndigits_ == 0; }
  bool IsNegative() const { return negative_; }

  // A self-delimiting encoding whose memcmp order is the numeric order.
  void AppendOrderedBytes(std::string* out) const;
  // Reads one encoding from the front of *in and advances it; corrupt input
  // is an InvalidArgument error.
  static Result<Decimal> DecodeOrderedBytes(std::string_view* in);

  // Bytes DynamoDB counts for this number in an item's size.
  size_t StorageSize() const;

  // Significant digits ("15" for 1.5 and for 150) and the power of ten of the
  // first of them (0 for 1.5, 2 for 150); empty and 0 for zero.
  std::string_view digits() const { return std::string_view(digits_, ndigits_); }
  int exponent() const { return exponent_; }

 private:
  // Builds a number from significant digits (no leading or trailing zeros)
  // and the power of ten of the first one; validates range and precision.
  static Result<Decimal> Make(bool negative, std::string_view digits, int64_t exponent,
                              bool from_arithmetic);
  static Result<Decimal> AddSigned(const Decimal& a, const Decimal& b, bool negate_b);

  bool negative_ = false;
  uint8_t ndigits_ = 0;
  int16_t exponent_ = 0;
  char digits_[kMaxDigits] = {};
};

}  // namespace nimbus::tables
