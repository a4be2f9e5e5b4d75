// The one translation unit that compiles Boost.Asio's and Boost.Beast's
// implementation (BOOST_ASIO_SEPARATE_COMPILATION keeps it out of the others).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
