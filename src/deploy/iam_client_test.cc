#include "deploy/iam_client.h"

#include <gtest/gtest.h>

namespace nimbus::deploy {
namespace {

constexpr const char* kGetRole = R"(<GetRoleResponse><GetRoleResult><Role>
<Path>/</Path><RoleName>shop-dev-lambdaRole</RoleName><RoleId>AROA1</RoleId>
<Arn>arn:aws:iam::000000000000:role/shop-dev-lambdaRole</Arn>
<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
<Tags><member><Key>nimbus:stack</Key><Value>us-east-1/shop-dev</Value></member>
<member><Key>team</Key><Value>a &amp; b</Value></member></Tags>
</Role></GetRoleResult></GetRoleResponse>)";

TEST(IamXmlTest, FirstTextUnescaped) {
  EXPECT_EQ(XmlText(kGetRole, "RoleName"), "shop-dev-lambdaRole");
  EXPECT_EQ(XmlText(kGetRole, "Missing"), "");
  EXPECT_EQ(XmlText("<a>&lt;x&gt; &quot;&apos; &#65;&#x42; &#233;</a>", "a"),
            "<x> \"' AB \xC3\xA9");
  EXPECT_EQ(XmlText("<a>&unknown; & alone</a>", "a"), "&unknown; & alone");
}

TEST(IamXmlTest, EveryElementRaw) {
  auto tags = XmlElements(kGetRole, "Tags");
  ASSERT_EQ(tags.size(), 1u);
  auto members = XmlElements(tags[0], "member");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(XmlText(members[0], "Key"), "nimbus:stack");
  EXPECT_EQ(XmlText(members[1], "Value"), "a & b");
  EXPECT_EQ(std::string(XmlElements("<m>a</m><m>b &amp;</m><m>unclosed", "m")[1]), "b &amp;");
  EXPECT_EQ(XmlElements("<m>a</m><m>unclosed", "m").size(), 1u);
}

}  // namespace
}  // namespace nimbus::deploy
