#include "aws/xml.h"

#include <sstream>

namespace nimbus::aws {
namespace {

// Collects pugixml's output into a string.
class StringWriter : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  void write(const void* data, size_t size) override {
    out_->append(static_cast<const char*>(data), size);
  }

 private:
  std::string* out_;
};

}  // namespace

XmlDocument::XmlDocument(std::string_view root_name, std::string_view xmlns) {
  root_ = doc_.append_child(std::string(root_name).c_str());
  if (!xmlns.empty()) root_.append_attribute("xmlns") = std::string(xmlns).c_str();
}

std::string XmlDocument::Serialize(bool declaration) const {
  std::string out;
  StringWriter writer(&out);
  unsigned flags = pugi::format_raw;
  if (!declaration) flags |= pugi::format_no_declaration;
  doc_.save(writer, "", flags, pugi::encoding_utf8);
  if (declaration) {
    // pugixml writes <?xml version="1.0"?>; AWS's answers name the encoding.
    constexpr std::string_view kShort = "<?xml version=\"1.0\"?>";
    if (std::string_view(out).starts_with(kShort)) {
      out.replace(0, kShort.size(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }
  }
  return out;
}

pugi::xml_node AddText(pugi::xml_node parent, std::string_view name, std::string_view text) {
  pugi::xml_node n = parent.append_child(std::string(name).c_str());
  n.append_child(pugi::node_pcdata).set_value(std::string(text).c_str());
  return n;
}

Result<XmlInput> XmlInput::Parse(std::string_view text) {
  XmlInput in;
  in.doc_ = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result r = in.doc_->load_buffer(text.data(), text.size(), pugi::parse_default,
                                                  pugi::encoding_utf8);
  if (!r) {
    return Status(Code::kInvalidArgument,
                  std::string("The XML you provided was not well-formed or did not validate "
                              "against our published schema: ") +
                      r.description() + " at offset " + std::to_string(r.offset),
                  "MalformedXML");
  }
  if (!in.doc_->document_element()) {
    return Status(Code::kInvalidArgument, "The XML you provided was empty", "MalformedXML");
  }
  return in;
}

std::string ChildText(pugi::xml_node node, const char* name) {
  return node.child(name).text().as_string();
}

}  // namespace nimbus::aws
