// Fuzzes the expression parsers and everything a parsed expression drives:
// condition evaluation, key conditions, update application and projection.
//
// Input: one selector byte (which grammar, which key schema), then the
// expression text. The placeholders below are always defined, so that inputs
// get past name resolution and reach evaluation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tables/expression.h"
#include "tables/item_codec.h"

namespace {

using namespace nimbus::tables;

Value Num(const char* text) {
  return Value::N(*Decimal::Parse(text));
}

const ExpressionNames& Names() {
  static const ExpressionNames names{{"#a", "a"}, {"#b", "b.c"}, {"#n", "name"}, {"#k", "pk"},
                                     {"#l", "l"}, {"#m", "m"},   {"#0", "0"}};
  return names;
}

const ExpressionValues& Values() {
  static const ExpressionValues values{
      {":s", Value::S("hello")},
      {":e", Value::S("")},
      {":n", Num("5")},
      {":big", Num("9.9999999999999999999999999999999999999E+125")},
      {":tiny", Num("-1e-130")},
      {":b", Value::B("\x01\x02")},
      {":t", Value::Bool(true)},
      {":z", Value::Null()},
      {":l", Value::L({Num("1"), Value::S("x")})},
      {":m", Value::M({{"k", Value::S("v")}})},
      {":ss", Value::SS({"a", "b"})},
      {":ns", Value::NS({*Decimal::Parse("1"), *Decimal::Parse("2")})},
      {":bs", Value::BS({"\x01"})},
      {":ty", Value::S("SS")},
  };
  return values;
}

const Item& Sample() {
  static const Item item{
      {"pk", Value::S("key")},
      {"a", Num("1")},
      {"b", Value::S("text")},
      {"name", Value::SS({"a", "b"})},
      {"l", Value::L({Num("1"), Value::L({Value::S("x")}), Value::M({{"k", Num("2")}})})},
      {"m", Value::M({{"k", Value::S("v")},
                      {"n", Value::M({{"deep", Value::NS({*Decimal::Parse("3")})}})}})},
      {"bin", Value::B("\x00\x01")},
  };
  return item;
}

// Stored items must survive the codec unchanged.
void CheckCodec(const Item& item) {
  auto back = DecodeItem(EncodeItem(item));
  if (!back.ok() || !(*back == item)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ExpressionContext context(&Names(), &Values());
  switch (selector % 4) {
    case 0: {
      auto kind = selector & 4 ? ExpressionKind::kFilter : ExpressionKind::kCondition;
      auto condition = ParseCondition(text, kind, &context);
      if (condition.ok()) {
        auto a = Evaluate(*condition, Sample());
        auto b = Evaluate(*condition, Item());
        (void)TopLevelAttributes(*condition);
        if (!a.ok() || !b.ok()) std::abort();
      }
      break;
    }
    case 1: {
      ValueType types[] = {ValueType::kS, ValueType::kN, ValueType::kB};
      KeySchema schema{{"pk", types[(selector >> 2) % 3]}, std::nullopt};
      if (selector & 0x40) schema.range = KeyAttribute{"a", types[(selector >> 4) % 3]};
      auto key = ParseKeyCondition(text, schema, &context);
      if (key.ok() && key->range) {
        (void)key->range->Matches(Num("1"));
        (void)key->range->Matches(Value::S("hello"));
      }
      break;
    }
    case 2: {
      auto plan = ParseUpdate(text, &context);
      if (plan.ok()) {
        (void)plan->TargetPaths();
        for (const Item* base : {&Sample(), static_cast<const Item*>(nullptr)}) {
          auto result = ApplyUpdate(
              *plan, base ? *base : Item(),
              selector & 4 ? std::vector<std::string>{"pk"} : std::vector<std::string>{});
          if (result.ok()) {
            CheckCodec(result->item);
            (void)ProjectPaths(result->updated_paths, result->item);
            (void)ItemSize(result->item);
          }
        }
      }
      break;
    }
    default: {
      auto projection = ParseProjection(text, &context);
      if (projection.ok()) CheckCodec(Project(*projection, Sample()));
      break;
    }
  }
  context.CheckAllUsed().IgnoreError();
  return 0;
}
