# SPDX-License-Identifier: MIT
# The NDJSON kernel (resources/runner.py and its C++ host) and deskpack-run.
# Included from runner/CMakeLists.txt.
target_sources(deskpack_runner PRIVATE
    runnerlogging.h runnerlogging.cpp
    lineframer.h lineframer.cpp
    processgroup.h processgroup.cpp
    kerneltypes.h
    kernelprotocol.h kernelprotocol.cpp
    kernel.h kernel.cpp kernelframes.cpp
    kerneldeps.h kerneldeps.cpp
    kernelsession.h kernelsession.cpp
    kernellaunch.h kernellaunch.cpp
    kernel.qrc
)
# rcc does not see that kernel.qrc embeds files outside this directory.
set_property(SOURCE kernel.qrc APPEND PROPERTY OBJECT_DEPENDS
    ${PROJECT_SOURCE_DIR}/resources/runner.py
    ${PROJECT_SOURCE_DIR}/resources/deskpack_runner_io.py)

add_library(deskpack_runcli STATIC
    cli/deskpackrun.h cli/deskpackrun.cpp
    cli/cellsfile.h cli/cellsfile.cpp
    cli/cellrunner.h cli/cellrunner.cpp cli/cellrepl.cpp
)
target_include_directories(deskpack_runcli PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
    ${CMAKE_CURRENT_SOURCE_DIR}/..)
target_link_libraries(deskpack_runcli PUBLIC deskpack::runner deskpack::plugins deskpack::policy Qt6::Core)

add_executable(deskpack-run cli/main.cpp)
target_link_libraries(deskpack-run PRIVATE deskpack_runcli deskpack::policy)
target_compile_definitions(deskpack-run PRIVATE DESKPACK_VERSION="${PROJECT_VERSION}")
