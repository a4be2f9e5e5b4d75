// XML for the query and rest-xml protocols, over pugixml: building answer
// documents (escaping is pugixml's) and reading request bodies. Nothing here
// keeps state; safe on any thread.
#pragma once

#include <memory>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace nimbus::aws {

// An answer document with one root element.
class XmlDocument {
 public:
  // `xmlns` (when not empty) becomes the root's default namespace.
  explicit XmlDocument(std::string_view root_name, std::string_view xmlns = {});
  pugi::xml_node root() const { return root_; }
  // The document as text, without indentation; with the
  // `<?xml version="1.0" encoding="UTF-8"?>` declaration when asked.
  std::string Serialize(bool declaration = false) const;

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

// Appends <name>text</name> to `parent` and returns it.
pugi::xml_node AddText(pugi::xml_node parent, std::string_view name, std::string_view text);

// A parsed request body. Parse errors are kInvalidArgument with the reason
// "MalformedXML" and pugixml's description of what was wrong.
class XmlInput {
 public:
  static Result<XmlInput> Parse(std::string_view text);
  pugi::xml_node root() const { return doc_->document_element(); }

 private:
  std::shared_ptr<pugi::xml_document> doc_;
};

// The text of `node`'s child `name`, or "" when it has none.
std::string ChildText(pugi::xml_node node, const char* name);

}  // namespace nimbus::aws
