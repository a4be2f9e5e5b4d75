// Internal to net: a response read by Beast, as the server's own type.
// Shared by the clients (http_client.cc, url_fetch.cc); not for other layers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http.h"

namespace nimbus::net {

HttpResponse FromBeast(boost::beast::http::response<boost::beast::http::string_body>&& msg);

}  // namespace nimbus::net
