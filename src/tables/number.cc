#include "tables/number.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nimbus::tables {
namespace {

constexpr char kNotNumeric[] = "The parameter cannot be converted to a numeric value";
constexpr char kTooManyDigits[] = "Attempting to store more than 38 significant digits in a Number";
constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

Status NotNumeric(std::string_view text) {
  if (text.empty()) return InvalidArgument(kNotNumeric);
  return InvalidArgument(std::string(kNotNumeric) + ": " + std::string(text));
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Exponents beyond this are certainly out of range; clamping keeps the
// arithmetic on them in int64 no matter how many digits the text has.
constexpr int64_t kExponentClamp = 1'000'000'000'000LL;

// Ordered encoding: a class byte, then for non-zero numbers an exponent byte
// and the digits in pairs (base 100), then a terminator. Negative numbers
// invert the exponent and pair bytes so that larger magnitudes sort first.
constexpr uint8_t kClassNegative = 0x01;
constexpr uint8_t kClassZero = 0x02;
constexpr uint8_t kClassPositive = 0x03;
constexpr uint8_t kPositiveEnd = 0x00;
constexpr uint8_t kNegativeEnd = 0xFF;

// The range and precision checks, in the order DynamoDB applies them.
Status CheckRange(int64_t exponent, size_t ndigits, bool from_arithmetic) {
  if (exponent > Decimal::kMaxExponent) return InvalidArgument(kOverflow);
  if (exponent < Decimal::kMinExponent) return InvalidArgument(kUnderflow);
  if (ndigits > static_cast<size_t>(Decimal::kMaxDigits)) {
    // DynamoDB reports an inexact sum or difference as an overflow.
    return InvalidArgument(from_arithmetic ? kOverflow : kTooManyDigits);
  }
  return Status::Ok();
}

}  // namespace

Result<Decimal> Decimal::Make(bool negative, std::string_view digits, int64_t exponent,
                              bool from_arithmetic) {
  Decimal d;
  if (digits.empty()) return d;
  RETURN_IF_ERROR(CheckRange(exponent, digits.size(), from_arithmetic));
  d.negative_ = negative;
  d.ndigits_ = static_cast<uint8_t>(digits.size());
  d.exponent_ = static_cast<int16_t>(exponent);
  std::memcpy(d.digits_, digits.data(), digits.size());
  return d;
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // The mantissa: digits with at most one point. Positions count digits only.
  int64_t int_len = 0, total = 0, first_nonzero = -1, last_nonzero = -1;
  bool seen_point = false;
  size_t mantissa_begin = i;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      if (c != '0') {
        if (first_nonzero < 0) first_nonzero = total;
        last_nonzero = total;
      }
      ++total;
      if (!seen_point) ++int_len;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  size_t mantissa_end = i;
  if (total == 0) return NotNumeric(text);
  int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return NotNumeric(text);
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      exp = std::min<int64_t>(exp * 10 + (text[i] - '0'), kExponentClamp);
    }
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return NotNumeric(text);
  if (first_nonzero < 0) return Decimal();  // zero, whatever its sign or exponent

  int64_t sig = last_nonzero - first_nonzero + 1;
  int64_t leading_exponent = int_len - 1 - first_nonzero + exp;
  RETURN_IF_ERROR(CheckRange(leading_exponent, static_cast<size_t>(sig), false));
  char buf[kMaxDigits];
  size_t n = 0;
  int64_t pos = 0;
  for (size_t k = mantissa_begin; k < mantissa_end; ++k) {
    if (text[k] == '.') continue;
    if (pos >= first_nonzero && pos <= last_nonzero) buf[n++] = text[k];
    ++pos;
  }
  return Make(negative, std::string_view(buf, n), leading_exponent, false);
}

Decimal Decimal::FromInt(int64_t value) {
  uint64_t magnitude = value < 0 ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  int64_t exponent = static_cast<int64_t>(digits.size()) - 1;
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  // At most 20 digits and an exponent below 20: always representable.
  return Make(value < 0, digits, exponent, false).value();
}

std::string Decimal::ToString() const {
  if (IsZero()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  std::string_view d = digits();
  int e = exponent_;
  if (e >= 0) {
    size_t int_digits = static_cast<size_t>(e) + 1;
    if (d.size() <= int_digits) {
      out.append(d);
      out.append(int_digits - d.size(), '0');
    } else {
      out.append(d.substr(0, int_digits));
      out.push_back('.');
      out.append(d.substr(int_digits));
    }
  } else {
    int zeros = -e - 1;
    out.append("0.");
    out.append(static_cast<size_t>(zeros), '0');
    out.append(d);
  }
  return out;
}

int Decimal::Compare(const Decimal& other) const {
  int sa = IsZero() ? 0 : (negative_ ? -1 : 1);
  int sb = other.IsZero() ? 0 : (other.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int magnitude = 0;
  if (exponent_ != other.exponent_) {
    magnitude = exponent_ < other.exponent_ ? -1 : 1;
  } else {
    // Same leading exponent and no trailing zeros: digit strings compare
    // like the numbers, a proper prefix being the smaller one.
    int c = digits().compare(other.digits());
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

Decimal Decimal::Negated() const {
  Decimal d = *this;
  if (!d.IsZero()) d.negative_ = !d.negative_;
  return d;
}

Result<Decimal> Decimal::Add(const Decimal& other) const {
  return AddSigned(*this, other, false);
}

Result<Decimal> Decimal::Subtract(const Decimal& other) const {
  return AddSigned(*this, other, true);
}

Result<Decimal> Decimal::AddSigned(const Decimal& a, const Decimal& b, bool negate_b) {
  Decimal bb = negate_b ? b.Negated() : b;
  if (a.IsZero()) return bb;
  if (bb.IsZero()) return a;
  // Both operands as digit arrays over the powers of ten [lo, hi], index 0 at
  // lo. The supported range bounds the width to a few hundred digits.
  int lo = std::min(a.exponent_ - a.ndigits_ + 1, bb.exponent_ - bb.ndigits_ + 1);
  int hi = std::max<int>(a.exponent_, bb.exponent_) + 1;
  int span = hi - lo + 1;
  size_t width = static_cast<size_t>(span);
  std::vector<int> x(width, 0), y(width, 0);
  auto place = [lo](const Decimal& d, std::vector<int>* v) {
    for (int k = 0; k < d.ndigits_; ++k)
      (*v)[static_cast<size_t>(d.exponent_ - k - lo)] = d.digits_[k] - '0';
  };
  place(a, &x);
  place(bb, &y);

  bool negative = a.negative_;
  std::vector<int> r(width, 0);
  if (a.negative_ == bb.negative_) {
    int carry = 0;
    for (size_t k = 0; k < width; ++k) {
      int s = x[k] + y[k] + carry;
      r[k] = s % 10;
      carry = s / 10;
    }
  } else {
    // Subtract the smaller magnitude from the larger one.
    int cmp = 0;
    for (size_t k = width; k-- > 0;) {
      if (x[k] != y[k]) {
        cmp = x[k] < y[k] ? -1 : 1;
        break;
      }
    }
    if (cmp == 0) return Decimal();
    const std::vector<int>& big = cmp > 0 ? x : y;
    const std::vector<int>& small = cmp > 0 ? y : x;
    negative = cmp > 0 ? a.negative_ : bb.negative_;
    int borrow = 0;
    for (size_t k = 0; k < width; ++k) {
      int s = big[k] - small[k] - borrow;
      borrow = s < 0 ? 1 : 0;
      r[k] = s + borrow * 10;
    }
  }
  size_t top = width, bottom = 0;
  while (top > 0 && r[top - 1] == 0) --top;
  if (top == 0) return Decimal();
  while (r[bottom] == 0) ++bottom;
  std::string digits;
  for (size_t k = top; k-- > bottom;) digits.push_back(static_cast<char>('0' + r[k]));
  return Make(negative, digits, static_cast<int64_t>(top - 1) + lo, true);
}

void Decimal::AppendOrderedBytes(std::string* out) const {
  if (IsZero()) {
    out->push_back(static_cast<char>(kClassZero));
    return;
  }
  uint8_t exp_byte = static_cast<uint8_t>(exponent_ - kMinExponent);
  out->push_back(static_cast<char>(negative_ ? kClassNegative : kClassPositive));
  out->push_back(static_cast<char>(negative_ ? 255 - exp_byte : exp_byte));
  for (int k = 0; k < ndigits_; k += 2) {
    int pair = (digits_[k] - '0') * 10 + (k + 1 < ndigits_ ? digits_[k + 1] - '0' : 0);
    out->push_back(static_cast<char>(negative_ ? 100 - pair : pair + 1));
  }
  out->push_back(static_cast<char>(negative_ ? kNegativeEnd : kPositiveEnd));
}

Result<Decimal> Decimal::DecodeOrderedBytes(std::string_view* in) {
  auto corrupt = [] { return InvalidArgument("corrupt number encoding"); };
  if (in->empty()) return corrupt();
  uint8_t cls = static_cast<uint8_t>((*in)[0]);
  if (cls == kClassZero) {
    in->remove_prefix(1);
    return Decimal();
  }
  if (cls != kClassNegative && cls != kClassPositive) return corrupt();
  bool negative = cls == kClassNegative;
  if (in->size() < 2) return corrupt();
  uint8_t exp_byte = static_cast<uint8_t>((*in)[1]);
  if (negative) exp_byte = static_cast<uint8_t>(255 - exp_byte);
  uint8_t end = negative ? kNegativeEnd : kPositiveEnd;
  char digits[kMaxDigits + 1];
  size_t n = 0, k = 2;
  for (;; ++k) {
    if (k >= in->size()) return corrupt();
    uint8_t b = static_cast<uint8_t>((*in)[k]);
    if (b == end) break;
    int pair = negative ? 100 - b : b - 1;
    if (pair < 0 || pair > 99 || n + 2 > kMaxDigits + 1) return corrupt();
    digits[n++] = static_cast<char>('0' + pair / 10);
    digits[n++] = static_cast<char>('0' + pair % 10);
  }
  // Only the last digit may be padding; a canonical number then has no
  // trailing zero left and no leading zero.
  if (n == 0 || digits[0] == '0') return corrupt();
  if (digits[n - 1] == '0') --n;
  if (digits[n - 1] == '0' || n > static_cast<size_t>(kMaxDigits)) return corrupt();
  auto d = Make(negative, std::string_view(digits, n), int64_t{exp_byte} + kMinExponent, false);
  if (!d.ok()) return corrupt();
  in->remove_prefix(k + 1);
  return d;
}

size_t Decimal::StorageSize() const {
  if (IsZero()) return 1;
  // DynamoDB stores the digits in base-100 pairs aligned on even powers of
  // ten, plus an exponent byte and, for negative numbers, a terminator.
  int n = ndigits_, e = exponent_;
  size_t pairs = static_cast<size_t>((n + 1) / 2) + ((n % 2 != 0 || e % 2 != 0) ? 0 : 1);
  return 1 + pairs + (negative_ ? 1 : 0);
}

}  // namespace nimbus::tables
