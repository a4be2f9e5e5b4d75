// YAML to JSON, the way Serverless v3 (js-yaml with its CloudFormation schema)
// reads serverless.yml.
//
//  * Plain scalars are typed by the YAML 1.2 core rules js-yaml applies:
//    null/~, true/false (three spellings each), decimal/0x/0o/0b integers,
//    floats with .inf/.nan; quoted and block scalars are always strings.
//  * CloudFormation short forms become the long form: `!Ref X` -> {"Ref": "X"},
//    `!GetAtt A.B` -> {"Fn::GetAtt": ["A", "B"]}, `!Sub ...` -> {"Fn::Sub": ...},
//    likewise !Join !Select !Split !If !Base64 !ImportValue !FindInMap !GetAZs
//    !Cidr !Equals !And !Or !Not and `!Condition X` -> {"Condition": "X"}.
//  * Merge keys (`<<: *anchor`) are applied; duplicate keys are an error.
//  * Positions of every value go into Document::positions.
//
// Errors (syntax, unknown tag, alias expansion past 100000 values or 16 MB of
// text) are positioned:
// "serverless.yml:4:9: YAML syntax error: ...". Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "manifest/document.h"

namespace nimbus::manifest {

// Parses one YAML document. `file` is the display name used in positions.
// Empty input yields a null root.
Result<Document> ParseYaml(std::string_view text, const std::string& file);

// Reads and parses `path`; NotFound when it does not exist.
Result<Document> LoadYamlFile(const std::string& path, const std::string& file);

}  // namespace nimbus::manifest
