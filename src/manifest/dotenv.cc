#include "manifest/dotenv.h"

#include <cctype>
#include <set>

#include "core/fs.h"

namespace nimbus::manifest {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

std::map<std::string, DotenvValue> ParseDotenv(std::string_view text) {
  std::map<std::string, DotenvValue> out;
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  auto skip_line = [&] {
    while (i < text.size() && text[i] != '\n') ++i;
    if (i < text.size()) ++i;
  };
  while (i < text.size()) {
    skip_blanks();
    if (i >= text.size()) break;
    if (text[i] == '\n' || text[i] == '\r' || text[i] == '#') {
      skip_line();
      continue;
    }
    if (text.substr(i, 7) == "export ") {
      i += 7;
      skip_blanks();
    }
    size_t key_start = i;
    while (i < text.size() && (IsNameChar(text[i]) || text[i] == '.' || text[i] == '-')) ++i;
    std::string key(text.substr(key_start, i - key_start));
    skip_blanks();
    if (key.empty() || i >= text.size() || text[i] != '=') {
      skip_line();  // not an assignment
      continue;
    }
    ++i;
    skip_blanks();
    std::string value;
    bool expand = true;
    char quote = i < text.size() ? text[i] : '\0';
    if (quote == '"' || quote == '\'' || quote == '`') {
      size_t close = text.find(quote, i + 1);
      while (quote == '"' && close != std::string_view::npos && text[close - 1] == '\\') {
        close = text.find(quote, close + 1);
      }
      if (close == std::string_view::npos) {
        // Unterminated: dotenv takes the rest of the line as written.
        size_t eol = text.find('\n', i);
        value = std::string(text.substr(i, eol == std::string_view::npos ? eol : eol - i));
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
        out[key] = DotenvValue{value, true};
        skip_line();
        continue;
      }
      std::string_view raw = text.substr(i + 1, close - i - 1);
      if (quote == '"') {
        for (size_t k = 0; k < raw.size(); ++k) {
          if (raw[k] == '\\' && k + 1 < raw.size()) {
            char e = raw[k + 1];
            if (e == 'n') {
              value += '\n';
              ++k;
              continue;
            }
            if (e == 'r') {
              value += '\r';
              ++k;
              continue;
            }
            if (e == 't') {
              value += '\t';
              ++k;
              continue;
            }
            if (e == '"') {
              value += '"';
              ++k;
              continue;
            }
          }
          value += raw[k];
        }
      } else {
        value = std::string(raw);
        expand = quote != '\'';
      }
      i = close + 1;
      skip_line();  // anything after the closing quote (a comment) is ignored
    } else {
      size_t eol = text.find('\n', i);
      std::string_view raw = text.substr(i, eol == std::string_view::npos ? eol : eol - i);
      // An inline comment starts at a '#' preceded by whitespace.
      for (size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == '#' && k > 0 && (raw[k - 1] == ' ' || raw[k - 1] == '\t')) {
          raw = raw.substr(0, k);
          break;
        }
      }
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
      value = std::string(raw);
      skip_line();
    }
    out[key] = DotenvValue{value, expand};
  }
  return out;
}

std::string ExpandDotenvValue(std::string_view value, const std::map<std::string, std::string>& env,
                              const std::map<std::string, std::string>& file_vars) {
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = env.find(name); it != env.end()) return it->second;
    if (auto it = file_vars.find(name); it != file_vars.end()) return it->second;
    return std::nullopt;
  };
  std::string out;
  for (size_t i = 0; i < value.size();) {
    if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (value[i] != '$' || i + 1 >= value.size()) {
      out += value[i++];
      continue;
    }
    if (value[i + 1] == '{') {
      size_t close = value.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += value.substr(i);
        break;
      }
      std::string inner(value.substr(i + 2, close - i - 2));
      std::string fallback;
      if (size_t sep = inner.find(":-"); sep != std::string::npos) {
        fallback = inner.substr(sep + 2);
        inner.resize(sep);
      }
      auto found = lookup(inner);
      out += found && !found->empty() ? *found : fallback;
      i = close + 1;
      continue;
    }
    size_t end = i + 1;
    while (end < value.size() && IsNameChar(value[end])) ++end;
    if (end == i + 1) {
      out += value[i++];
      continue;
    }
    out += lookup(std::string(value.substr(i + 1, end - i - 1))).value_or("");
    i = end;
  }
  return out;
}

Status LoadDotenv(const std::string& dir, const std::string& stage,
                  std::map<std::string, std::string>* env) {
  std::string path = dir + "/.env." + stage;
  if (!PathExists(path)) path = dir + "/.env";
  if (!PathExists(path)) return Status::Ok();
  auto text = ReadFile(path);
  if (!text.ok()) {
    return InvalidArgument("Failed to load environment variables from \"" + path +
                           "\": " + text.status().message());
  }
  std::map<std::string, DotenvValue> vars = ParseDotenv(*text);
  std::map<std::string, std::string> raw;  // what other values may expand to
  for (const auto& [k, v] : vars) raw[k] = v.text;
  for (const auto& [k, v] : vars) {
    if (env->count(k) != 0) continue;
    (*env)[k] = v.expand ? ExpandDotenvValue(v.text, *env, raw) : v.text;
  }
  return Status::Ok();
}

}  // namespace nimbus::manifest
