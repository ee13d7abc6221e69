// make_seeds.cpp - writes the seed corpora under corpus/ from the readable sources in
// fuzz/seeds/: each *.opseq (op-sequence text, one edge case per file) is parsed and encoded
// into the corpus of every op-sequence target and copied as text into fuzz_opseq_text's;
// binary/*.hex (hex bytes, '#' comments) go to the op-sequence targets as they are;
// text/*.txt to fuzz_opseq_text; baseline/*.json to fuzz_baseline; protocol/*.json (one worker
// protocol line each, as is) and protocol/*.hex (bytes a text file cannot hold) to
// fuzz_worker_protocol. Files are named by the SHA-1 of their content, as libFuzzer names them,
// and corpus/seeds.tsv maps each name to its source. corpus/opseq.dict, the libFuzzer dictionary
// of the op-sequence targets, holds every distinct op of the .opseq seeds, encoded alone.
// Usage: make_seeds SEEDS_DIR CORPUS_DIR [--check]; --check writes nothing and exits 1 if a
// seed file is missing or differs (the ctest test `fuzz_seeds_up_to_date`).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sha1.hpp"
#include "vmconform/opseq.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::vector<std::string> kOpseqTargets = {"fuzz_sim", "fuzz_native", "fuzz_process", "fuzz_mutant",
                                                "fuzz_plugin", "fuzz_opseq_decode"};

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<fs::path> sources(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// "01 02 ff  # comment" -> bytes; throws on anything that is not a hex byte.
Bytes parse_hex(const std::string& text, const fs::path& origin) {
  Bytes out;
  std::string digits;
  bool comment = false;
  for (char c : text) {
    if (c == '\n') comment = false;
    if (comment || c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '#') {
      comment = true;
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) throw std::runtime_error(origin.string() + ": not hex: " + c);
    digits += c;
    if (digits.size() == 2) out.push_back(static_cast<std::uint8_t>(std::stoul(digits, nullptr, 16))), digits.clear();
  }
  if (!digits.empty()) throw std::runtime_error(origin.string() + ": odd number of hex digits");
  return out;
}

struct Seed {
  std::string target;
  Bytes bytes;
  std::string source;
};

std::vector<Seed> collect(const fs::path& seeds) {
  std::vector<Seed> out;
  for (const fs::path& p : sources(seeds, ".opseq")) {
    const Bytes text = read_file(p);
    const auto parsed = vmc::opseq::parse_text(std::string(text.begin(), text.end()));
    if (const auto* e = std::get_if<vmc::opseq::ParseError>(&parsed))
      throw std::runtime_error(p.string() + ":" + std::to_string(e->line) + ": " + e->message);
    const Bytes binary = vmc::opseq::encode(std::get<vmc::opseq::Sequence>(parsed));
    if (vmc::opseq::decode(binary) != std::get<vmc::opseq::Sequence>(parsed))
      throw std::runtime_error(p.string() + ": does not survive encode/decode");
    for (const std::string& t : kOpseqTargets) out.push_back({t, binary, p.filename().string()});
    out.push_back({"fuzz_opseq_text", text, p.filename().string()});
  }
  for (const fs::path& p : sources(seeds / "binary", ".hex")) {
    const Bytes text = read_file(p);
    const Bytes binary = parse_hex(std::string(text.begin(), text.end()), p);
    for (const std::string& t : kOpseqTargets) out.push_back({t, binary, "binary/" + p.filename().string()});
  }
  for (const fs::path& p : sources(seeds / "text", ".txt"))
    out.push_back({"fuzz_opseq_text", read_file(p), "text/" + p.filename().string()});
  for (const fs::path& p : sources(seeds / "baseline", ".json"))
    out.push_back({"fuzz_baseline", read_file(p), "baseline/" + p.filename().string()});
  for (const fs::path& p : sources(seeds / "protocol", ".json"))
    out.push_back({"fuzz_worker_protocol", read_file(p), "protocol/" + p.filename().string()});
  for (const fs::path& p : sources(seeds / "protocol", ".hex")) {
    const Bytes text = read_file(p);
    out.push_back({"fuzz_worker_protocol", parse_hex(std::string(text.begin(), text.end()), p),
                   "protocol/" + p.filename().string()});
  }
  return out;
}

/// The libFuzzer dictionary of the op-sequence targets: every distinct op of the hand-written
/// .opseq seeds, encoded alone (without the version byte), so that a fuzzer starting from
/// nothing can splice whole meaningful ops (a commit at a region, a decommit, a patterned write)
/// into its inputs. One `op_N="..."` line per op, after a comment with the op's text.
std::string opseq_dictionary(const fs::path& seeds) {
  std::set<std::string> seen;
  std::string out = "# libFuzzer dictionary of the op-sequence fuzz targets: every distinct op of fuzz/seeds/*.opseq,\n"
                    "# encoded alone. Generated by fuzz/make_seeds; do not edit.\n";
  int n = 0;
  for (const fs::path& p : sources(seeds, ".opseq")) {
    const Bytes text = read_file(p);
    const auto parsed = vmc::opseq::parse_text(std::string(text.begin(), text.end()));
    for (const vmc::opseq::Op& op : std::get<vmc::opseq::Sequence>(parsed)) {
      const Bytes encoded = vmc::opseq::encode({op});
      const std::string word(encoded.begin() + 1, encoded.end());  // without the version byte
      if (!seen.insert(word).second) continue;
      out += "# " + vmc::opseq::to_text(op) + "\nop_" + std::to_string(n++) + "=\"";
      for (unsigned char c : word) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02X", c);
        out += hex;
      }
      out += "\"\n";
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (argc == 4 && std::string(argv[3]) != "--check") || argc > 4) {
    std::fprintf(stderr, "usage: make_seeds SEEDS_DIR CORPUS_DIR [--check]\n");
    return 2;
  }
  const fs::path seeds = argv[1], corpus = argv[2];
  const bool check = argc == 4;
  try {
    const std::vector<Seed> all = collect(seeds);
    std::string manifest = "# name\ttarget\tsource (generated by fuzz/make_seeds from fuzz/seeds/; do not edit)\n";
    int problems = 0;
    for (const Seed& s : all) {
      const std::string name = vmc::fuzz::sha1_hex(s.bytes);
      const fs::path file = corpus / s.target / name;
      manifest += name + "\t" + s.target + "\t" + s.source + "\n";
      if (check) {
        if (!fs::exists(file) || read_file(file) != s.bytes) {
          std::fprintf(stderr, "make_seeds: %s (from %s) is missing or differs\n", file.c_str(), s.source.c_str());
          ++problems;
        }
        continue;
      }
      fs::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(s.bytes.data()),
                                                  static_cast<std::streamsize>(s.bytes.size()));
    }
    const fs::path manifest_file = corpus / "seeds.tsv";
    const fs::path dictionary_file = corpus / "opseq.dict";
    const std::string dictionary = opseq_dictionary(seeds);
    if (check) {
      const Bytes old_dictionary = read_file(dictionary_file);
      if (std::string(old_dictionary.begin(), old_dictionary.end()) != dictionary) {
        std::fprintf(stderr, "make_seeds: %s is out of date\n", dictionary_file.c_str());
        ++problems;
      }
      const Bytes old = read_file(manifest_file);
      if (std::string(old.begin(), old.end()) != manifest) {
        std::fprintf(stderr, "make_seeds: %s is out of date\n", manifest_file.c_str());
        ++problems;
      }
      if (problems > 0) std::fprintf(stderr, "make_seeds: run the make_seeds target to regenerate the seeds\n");
      else std::printf("make_seeds: %zu seed files up to date\n", all.size());
      return problems > 0 ? 1 : 0;
    }
    // Seeds generated before from sources since changed or removed: delete them (findings added
    // by hand are not in the manifest and stay).
    std::set<std::string> now;
    for (const Seed& s : all) now.insert(s.target + "/" + vmc::fuzz::sha1_hex(s.bytes));
    const Bytes old = read_file(manifest_file);
    std::istringstream lines(std::string(old.begin(), old.end()));
    for (std::string line; std::getline(lines, line);) {
      const auto tab = line.find('\t'), tab2 = line.find('\t', tab + 1);
      if (line.empty() || line[0] == '#' || tab == std::string::npos || tab2 == std::string::npos) continue;
      const std::string key = line.substr(tab + 1, tab2 - tab - 1) + "/" + line.substr(0, tab);
      if (!now.count(key) && line.substr(0, tab).find('/') == std::string::npos) fs::remove(corpus / key);
    }
    std::ofstream(manifest_file) << manifest;
    std::ofstream(dictionary_file) << dictionary;
    std::printf("make_seeds: wrote %zu seed files under %s\n", all.size(), corpus.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 2;
  }
  return 0;
}
