// SPDX-License-Identifier: MIT
#pragma once

// A key pair and two signatures made once by Debian's minisign 0.11
// (`minisign -G -W`, `minisign -S [-l] -t 'vector ED|Ed'`): byte-level
// interoperability checks that need no minisign at test time.

#include <QByteArray>

namespace deskpack::test::vectors {

inline const QByteArray message = "Deskpack signs what it ships.\n";
inline const QByteArray keyIdHex = "544D0A6FEEE05E62";
inline const QByteArray publicKey = "RWRiXuDubwpNVJy1KxBEfSdH3Or7T9i2yEAVYcq9bhXXjRbcVbRJxx9E";
inline const QByteArray publicKeyFile =
    "untrusted comment: minisign public key 544D0A6FEEE05E62\n"
    "RWRiXuDubwpNVJy1KxBEfSdH3Or7T9i2yEAVYcq9bhXXjRbcVbRJxx9E\n";
inline const QByteArray secretKeyFile = "untrusted comment: minisign encrypted secret key\n"
                                        "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                        "AAAAAAAAAAAAAAYl7g7m8KTVTXHVi659+zirR2"
                                        "bp8gPBylRWFn0QY2zCtTO6kdg3ZSOZy1KxBEfSdH3Or7T9i2yEAVYcq9bh"
                                        "XXjRbcVbRJxx9EAAAAAAAAAAAAAAAAAAAAAAAA"
                                        "AAAAAAAAAAAAAAAAAAA=\n";
inline const QByteArray prehashed =
    "untrusted comment: signature from minisign secret key\n"
    "RURiXuDubwpNVNS1HC/"
    "8wY7fgvbhxvgA4FeE+dhP3DlXbs3zYf0vceIN7DH66Hte2mDVtlqM2dovbaRFnXT7MryGmU8EpaJN"
    "twY=\n"
    "trusted comment: vector ED\n"
    "hxU3EwfieHGp3Nbr9oRpwHoQnlqqJsme94Gk+tFGtf6A91vQPjGp59Zze3mXYYg6AwJh5MgMa7rCw/Iv9rvGAw==\n";
inline const QByteArray legacy =
    "untrusted comment: signature from minisign secret key\n"
    "RWRiXuDubwpNVEqGMBGfNY7yBzCYkIsLXdlBBIppQk6GGQNin5APAG91I+I90kCvJhScs+/tKQ0Zfa4w/"
    "X9wBgCIduiSk1Ow"
    "wQg=\n"
    "trusted comment: vector Ed\n"
    "t+zpHaBZjk0Ai81oN8VY9CsU30TpZyHS6Yadof7mADI4HfnXkv9aarCZuJ6FsOwFsGmvpfsK7Ypr3GBDGUVUDA==\n";

} // namespace deskpack::test::vectors
