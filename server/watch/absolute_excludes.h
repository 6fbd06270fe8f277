// Excludes that name absolute paths, made relative per root. An exclude is
// relative to each root it applies to; one starting with '/' (what
// config/validate.cpp makes of a {baseUri, pattern} exclude, the base
// escaped with escape_glob) names one place, so each root gets the rule it
// means below that root, or none. This is how a client watching many roots
// (DevwatchReloader: the project, the standard library, Django's package)
// keeps the crawl out of one package's locale folders without excluding
// the project's own.
// Thread-safe: a pure function over values.
#pragma once

#include <string_view>

#include "paths/ignore.h"

namespace devwatch::watch {

// `options` with every exclude that starts with '/' replaced for `root` (an
// absolute path without a trailing '/'): one that begins with the root
// (escaped as escape_glob does) and a '/' keeps the rest, relative to the
// root; any other is dropped, also one whose wildcard would have to match
// the root's own path ("/srv/*/locale/" for the root "/srv/app"): such a
// root watches more than asked, never less. Relative excludes stay as they are.
paths::IgnoreOptions ignore_for_root(const paths::IgnoreOptions& options, std::string_view root);

}  // namespace devwatch::watch
