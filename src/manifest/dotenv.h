// .env files, read when serverless.yml says `useDotenv: true`.
//
// As in Serverless v3 (dotenv + dotenv-expand): `.env.<stage>` is loaded when
// it exists, otherwise `.env`; variables already in the environment win over
// the file; `$NAME` and `${NAME}` (also `${NAME:-default}`) expand in
// unquoted and double-quoted values. Stateless; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus::manifest {

struct DotenvValue {
  std::string text;
  bool expand = true;  // false for '…' values, which are literal
};

// Parses the text of a .env file into KEY -> value, in the dotenv format:
// `KEY=value`, optional `export ` prefix, `#` comments (whole lines, or after
// whitespace in an unquoted value), values in '…', "…" (with \n, \r, \t
// escapes) or `…` quotes, which may span lines. Lines that are not
// assignments are ignored, as dotenv does. No expansion happens here.
std::map<std::string, DotenvValue> ParseDotenv(std::string_view text);

// Expands `$NAME`, `${NAME}` and `${NAME:-default}` in `value`, looking names
// up in `env` first and `file_vars` second; `\$` is a literal '$'.
std::string ExpandDotenvValue(std::string_view value, const std::map<std::string, std::string>& env,
                              const std::map<std::string, std::string>& file_vars);

// Loads `<dir>/.env.<stage>`, or when it does not exist `<dir>/.env`, into
// `env` without replacing existing entries. No file is not an error.
Status LoadDotenv(const std::string& dir, const std::string& stage,
                  std::map<std::string, std::string>* env);

}  // namespace nimbus::manifest
