// Fuzzes the decoding of DynamoDB JSON AttributeValues and items, and checks
// what a decoded value must satisfy: it converts back to JSON and decodes to
// an equal value, survives the stored-item codec, and (for key types) the
// order-preserving key codec.
#include <boost/json/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/dynamodb/dynamodb_values.h"
#include "tables/item_codec.h"
#include "tables/key_codec.h"

namespace {

namespace json = boost::json;
using namespace nimbus;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckValue(const tables::Value& v) {
  auto again = aws::ValueFromJson(aws::ValueToJson(v));
  Check(again.ok() && *again == v);
  (void)tables::ValueSize(v);
  if (v.is(tables::ValueType::kS) || v.is(tables::ValueType::kN) || v.is(tables::ValueType::kB)) {
    std::string key;
    tables::AppendKeyValue(v, &key);
    std::string_view in = key;
    auto decoded = tables::DecodeKeyValue(v.type(), &in);
    Check(decoded.ok() && *decoded == v && in.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json::parse_options options;
  options.max_depth = 200;  // deeper than DynamoDB's 32 levels of M and L
  json::parser parser(json::storage_ptr(), options);
  boost::system::error_code ec;
  parser.write(reinterpret_cast<const char*>(data), size, ec);
  if (ec) return 0;
  json::value root = parser.release();

  if (auto value = aws::ValueFromJson(root); value.ok()) CheckValue(*value);
  if (root.is_object()) {
    if (auto item = aws::ItemFromJson(root.as_object()); item.ok()) {
      for (const auto& [name, v] : *item) CheckValue(v);
      auto back = tables::DecodeItem(tables::EncodeItem(*item));
      Check(back.ok() && *back == *item);
      auto again = aws::ItemFromJson(aws::ItemToJson(*item));
      Check(again.ok() && *again == *item);
      (void)tables::ItemSize(*item);
    }
    (void)aws::ExpressionNamesFromJson(root.as_object());
    (void)aws::ExpressionValuesFromJson(root.as_object());
  }
  // The same bytes as a stored item: corrupt input must fail cleanly.
  auto stored = tables::DecodeItem(std::string_view(reinterpret_cast<const char*>(data), size));
  if (stored.ok()) {
    auto back = tables::DecodeItem(tables::EncodeItem(*stored));
    Check(back.ok() && *back == *stored);
  }
  return 0;
}
