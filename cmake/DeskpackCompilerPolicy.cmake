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

# What ships to users (the launcher in every bundle, the installer and its
# stub in every installer) carries no debug info: with RelWithDebInfo the
# launcher alone was 43 MB of a 99 MiB bundle. The debug info moves to
# <file>.debug beside it, linked by .gnu_debuglink, so gdb and crash reports
# from this build still find it. Debug builds (the sanitizer preset) keep it.
function(deskpack_split_debug_info target)
    if(NOT CMAKE_OBJCOPY OR NOT CMAKE_BUILD_TYPE MATCHES "^(RelWithDebInfo|Release|MinSizeRel)$")
        return()
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_OBJCOPY} --only-keep-debug $<TARGET_FILE:${target}>
                $<TARGET_FILE:${target}>.debug
        COMMAND ${CMAKE_OBJCOPY} --strip-debug
                --add-gnu-debuglink=$<TARGET_FILE:${target}>.debug $<TARGET_FILE:${target}>
        WORKING_DIRECTORY $<TARGET_FILE_DIR:${target}>
        COMMENT "Splitting the debug info of ${target} into ${target}.debug"
        VERBATIM)
endfunction()
