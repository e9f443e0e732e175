# SPDX-License-Identifier: MIT
# The compiler policy every Deskpack target links (deskpack::policy).
add_library(deskpack_policy INTERFACE)
add_library(deskpack::policy ALIAS deskpack_policy)
target_compile_features(deskpack_policy INTERFACE cxx_std_20)
target_compile_options(deskpack_policy INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -pedantic>)
target_compile_definitions(deskpack_policy INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS)
