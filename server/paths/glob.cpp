// Compiling LSP and gitignore globs into a Glob (glob_match.cpp matches it).
#include "paths/glob.h"

#include <algorithm>
#include <bitset>
#include <cstddef>

namespace devwatch::paths {
namespace {

using ByteSet = std::bitset<256>;
using Bits = std::vector<std::uint64_t>;

// The follow table is positions x positions bits; this bound keeps it under
// 2 MiB. Patterns are written by people and editors, so reaching it means a
// mistake, which compile() reports rather than silently slowing every event.
constexpr std::size_t kMaxPositions = 4096;
constexpr int kMaxBraceDepth = 32;

bool has_any_of(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

}  // namespace

// Parses a pattern into a tree whose leaves each consume one byte, then turns
// the tree into a Glushkov position automaton (epsilon-free, so matching is a
// plain bitset walk with no backtracking at all).
class GlobCompiler {
 public:
  GlobCompiler(std::string_view pattern, GlobSyntax syntax)
      : p_(pattern), lsp_(syntax == GlobSyntax::Lsp) {}

  Result<Glob> run() {
    Glob glob;
    glob.pattern_ = std::string(p_);
    if (p_.empty()) return make_error(ErrorCode::InvalidParams, "invalid glob '': the pattern is empty");

    std::size_t i = 0;
    const std::uint32_t root = parse_seq(i, 0, false);
    if (!error_.empty()) {
      return make_error(ErrorCode::InvalidParams, "invalid glob '" + glob.pattern_ + "': " + error_);
    }
    if (leaves_.size() > kMaxPositions) {
      return make_error(ErrorCode::InvalidParams,
                        "invalid glob '" + glob.pattern_.substr(0, 200) + "...': too complex (" +
                            std::to_string(leaves_.size()) + " elements, the limit is " +
                            std::to_string(kMaxPositions) + "); split it into several globs");
    }
    glob.kind_ = Glob::Kind::Automaton;
    pick_fast_path(glob);
    if (glob.kind_ == Glob::Kind::Automaton) build_automaton(glob, root);
    return glob;
  }

 private:
  enum class Type : std::uint8_t { Leaf, Seq, Alt, Star, Opt };
  struct Node {
    Type type;
    std::uint32_t leaf;
    std::vector<std::uint32_t> kids;
  };
  struct Info {
    bool nullable;
    Bits first;
    Bits last;
  };
  static constexpr std::uint32_t kFailed = 0xFFFFFFFFu;

  // ---- parsing -----------------------------------------------------------

  std::uint32_t add(Type type, std::vector<std::uint32_t> kids) {
    nodes_.push_back(Node{type, 0, std::move(kids)});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t leaf(const ByteSet& set) {
    leaves_.push_back(set);
    nodes_.push_back(Node{Type::Leaf, static_cast<std::uint32_t>(leaves_.size() - 1), {}});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t literal(char c) {
    ByteSet set;
    set.set(static_cast<unsigned char>(c));
    return leaf(set);
  }
  std::uint32_t no_slash() {
    ByteSet set;
    set.set();
    set.reset('/');
    return leaf(set);
  }
  std::uint32_t any_byte() {
    ByteSet set;
    set.set();
    return leaf(set);
  }
  std::uint32_t fail(std::string what, std::size_t at) {
    if (error_.empty()) error_ = std::move(what) + " at column " + std::to_string(at + 1);
    return kFailed;
  }

  // One sequence: the whole pattern, or one alternative inside braces (it
  // stops before the ',' or '}' that ends it).
  std::uint32_t parse_seq(std::size_t& i, int depth, bool in_brace) {
    const std::size_t n = p_.size();
    std::vector<std::uint32_t> items;
    bool last_is_slash = false;  // the previous item is an unescaped '/'
    while (i < n) {
      const char c = p_[i];
      if (lsp_ && in_brace && (c == ',' || c == '}')) break;
      bool is_slash = false;
      if (c == '\\' && !lsp_) {
        if (i + 1 >= n) return fail("trailing '\\' escapes nothing", i);
        items.push_back(literal(p_[i + 1]));
        i += 2;
      } else if (c == '?') {
        items.push_back(no_slash());
        ++i;
      } else if (c == '*') {
        std::size_t j = i;
        while (j < n && p_[j] == '*') ++j;
        const char before = i == 0 ? '/' : p_[i - 1];
        const bool seg_start = before == '/' || (lsp_ && (before == '{' || (in_brace && before == ',')));
        const bool branch_end = j == n || (lsp_ && in_brace && (p_[j] == ',' || p_[j] == '}'));
        if (j - i >= 2 && seg_start && (branch_end || p_[j] == '/')) {
          if (!branch_end) {
            // "**/": zero or more whole segments, each with its '/'.
            const std::uint32_t seg = add(Type::Seq, {add(Type::Star, {no_slash()}), literal('/')});
            items.push_back(add(Type::Star, {seg}));
            i = j + 1;
          } else if (last_is_slash && lsp_) {
            // "x/**": the '/' becomes optional so "x" itself matches.
            const std::uint32_t slash = items.back();
            items.pop_back();
            const std::uint32_t rest = add(Type::Seq, {slash, add(Type::Star, {any_byte()})});
            items.push_back(add(Type::Opt, {rest}));
            i = j;
          } else if (last_is_slash) {
            // gitignore "x/**": at least one byte after "x/".
            items.push_back(any_byte());
            items.push_back(add(Type::Star, {any_byte()}));
            i = j;
          } else {
            items.push_back(add(Type::Star, {any_byte()}));
            i = j;
          }
        } else {
          // Not a whole segment: consecutive stars act as one '*'.
          items.push_back(add(Type::Star, {no_slash()}));
          i = j;
        }
      } else if (c == '[') {
        const std::uint32_t cls = parse_class(i);
        if (cls == kFailed) return kFailed;
        items.push_back(cls);
      } else if (c == '{' && lsp_) {
        if (depth >= kMaxBraceDepth) return fail("braces nested too deeply", i);
        const std::size_t open = i++;
        std::vector<std::uint32_t> alternatives;
        for (;;) {
          const std::uint32_t alt = parse_seq(i, depth + 1, true);
          if (alt == kFailed) return kFailed;
          alternatives.push_back(alt);
          if (i >= n) return fail("unclosed '{'", open);
          if (p_[i++] == '}') break;  // else ',': next alternative
        }
        items.push_back(add(Type::Alt, std::move(alternatives)));
      } else if (c == '}' && lsp_) {
        return fail("unmatched '}'", i);
      } else {
        is_slash = c == '/';
        items.push_back(literal(c));
        ++i;
      }
      last_is_slash = is_slash;
    }
    return add(Type::Seq, std::move(items));
  }

  // "[abc]", "[a-z0-9]", "[!x]" (also "[^x]"); a ']' right after the opening
  // (or after '!') is literal. A class never matches '/'.
  std::uint32_t parse_class(std::size_t& i) {
    const std::size_t n = p_.size();
    const std::size_t open = i++;
    bool negate = false;
    if (i < n && (p_[i] == '!' || p_[i] == '^')) {
      negate = true;
      ++i;
    }
    ByteSet set;
    bool first = true;
    for (;;) {
      if (i >= n) return fail("unclosed '['", open);
      if (p_[i] == ']' && !first) {
        ++i;
        break;
      }
      first = false;
      unsigned lo = 0;
      if (!next_class_byte(i, lo)) return fail("unclosed '['", open);
      unsigned hi = lo;
      if (i + 1 < n && p_[i] == '-' && p_[i + 1] != ']') {
        const std::size_t dash = i++;
        if (!next_class_byte(i, hi)) return fail("unclosed '['", open);
        if (hi < lo) {
          return fail("empty range '" + std::string(p_.substr(dash - 1, i - dash + 1)) + "'", dash - 1);
        }
      }
      for (unsigned b = lo; b <= hi; ++b) set.set(b);
    }
    if (negate) set.flip();
    set.reset('/');
    return leaf(set);
  }

  bool next_class_byte(std::size_t& i, unsigned& out) {
    if (!lsp_ && p_[i] == '\\') {
      if (i + 1 >= p_.size()) return false;
      ++i;
    }
    out = static_cast<unsigned char>(p_[i++]);
    return true;
  }

  // ---- fast paths --------------------------------------------------------

  void pick_fast_path(Glob& glob) const {
    const std::string_view meta = lsp_ ? std::string_view("*?[{}") : std::string_view("*?[\\");
    const auto plain = [&](std::string_view s) { return !has_any_of(s, meta); };
    const auto plain_name = [&](std::string_view s) { return plain(s) && s.find('/') == std::string_view::npos; };
    std::string_view p = p_;
    if (plain(p)) {
      glob.kind_ = Glob::Kind::Literal;
      glob.literal_ = std::string(p);
    } else if (p.substr(0, 4) == "**/*" && plain_name(p.substr(4))) {
      glob.kind_ = Glob::Kind::PathSuffix;
      glob.literal_ = std::string(p.substr(4));
    } else if (p.substr(0, 3) == "**/" && !p.substr(3).empty() && plain_name(p.substr(3))) {
      glob.kind_ = Glob::Kind::AnyDepthName;
      glob.literal_ = std::string(p.substr(3));
    } else if (p.substr(0, 1) == "*" && p.substr(0, 2) != "**" && plain_name(p.substr(1))) {
      glob.kind_ = Glob::Kind::SegmentSuffix;
      glob.literal_ = std::string(p.substr(1));
    }
  }

  // ---- automaton -----------------------------------------------------------

  void set_bit(Bits& bits, std::uint32_t pos) const { bits[pos / 64] |= std::uint64_t{1} << (pos % 64); }

  void add_follow(Glob& glob, const Bits& from, const Bits& to) const {
    for (std::uint32_t w = 0; w < words_; ++w) {
      std::uint64_t bits = from[w];
      while (bits != 0) {
        const auto pos = w * 64 + static_cast<std::uint32_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        std::uint64_t* dst = &glob.follow_[std::size_t{pos} * words_];
        for (std::uint32_t k = 0; k < words_; ++k) dst[k] |= to[k];
      }
    }
  }

  Info analyze(Glob& glob, std::uint32_t id) const {
    const Node& node = nodes_[id];
    Info info{false, Bits(words_, 0), Bits(words_, 0)};
    switch (node.type) {
      case Type::Leaf:
        set_bit(info.first, node.leaf);
        set_bit(info.last, node.leaf);
        break;
      case Type::Seq:
        info.nullable = true;
        for (std::uint32_t kid : node.kids) {
          Info k = analyze(glob, kid);
          add_follow(glob, info.last, k.first);
          for (std::uint32_t w = 0; w < words_; ++w) {
            if (info.nullable) info.first[w] |= k.first[w];
            info.last[w] = k.nullable ? (info.last[w] | k.last[w]) : k.last[w];
          }
          info.nullable = info.nullable && k.nullable;
        }
        break;
      case Type::Alt:
        for (std::uint32_t kid : node.kids) {
          Info k = analyze(glob, kid);
          info.nullable = info.nullable || k.nullable;
          for (std::uint32_t w = 0; w < words_; ++w) {
            info.first[w] |= k.first[w];
            info.last[w] |= k.last[w];
          }
        }
        break;
      case Type::Star:
      case Type::Opt:
        info = analyze(glob, node.kids.front());
        if (node.type == Type::Star) add_follow(glob, info.last, info.first);
        info.nullable = true;
        break;
    }
    return info;
  }

  void build_automaton(Glob& glob, std::uint32_t root) {
    const std::size_t positions = leaves_.size();
    words_ = static_cast<std::uint32_t>(positions / 64 + 1);
    glob.words_ = words_;
    glob.follow_.assign(positions * words_, 0);
    glob.accepts_.assign(std::size_t{256} * words_, 0);
    for (std::size_t pos = 0; pos < positions; ++pos) {
      for (std::size_t b = 0; b < 256; ++b) {
        if (leaves_[pos][b]) glob.accepts_[b * words_ + pos / 64] |= std::uint64_t{1} << (pos % 64);
      }
    }
    Info info = analyze(glob, root);
    glob.nullable_ = info.nullable;
    glob.first_ = std::move(info.first);
    glob.last_ = std::move(info.last);
  }

  std::string_view p_;
  bool lsp_;
  std::vector<Node> nodes_;
  std::vector<ByteSet> leaves_;
  std::uint32_t words_ = 1;
  std::string error_;
};

Result<Glob> Glob::compile(std::string_view pattern) { return compile(pattern, GlobSyntax::Lsp); }

Result<Glob> Glob::compile(std::string_view pattern, GlobSyntax syntax) {
  return GlobCompiler(pattern, syntax).run();
}

}  // namespace devwatch::paths
