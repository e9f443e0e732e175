// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace deskpack {

// The kinds of failure callers branch on. They map one-to-one onto the exit
// codes of DESIGN.md, so a command can return `exitCodeFor(error.kind)`.
enum class ErrorKind
{
    Invalid,     // the check ran and found problems (exit 1)
    Usage,       // bad arguments (exit 2)
    Unreadable,  // input missing, unreadable or not parseable (exit 2)
    Environment, // interpreter missing, pip failed, I/O on the machine failed (exit 3)
};

enum ExitCode : int
{
    ExitOk = 0,
    ExitProblems = 1,
    ExitUsage = 2,
    ExitEnvironment = 3,
};

constexpr int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Invalid:
        return ExitProblems;
    case ErrorKind::Usage:
    case ErrorKind::Unreadable:
        return ExitUsage;
    case ErrorKind::Environment:
        return ExitEnvironment;
    }
    return ExitEnvironment;
}

struct Error
{
    ErrorKind kind = ErrorKind::Invalid;
    QString message;
};

// An expected-style value: either a T or an Error with a human message. Used
// instead of exceptions across every library boundary.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {
    }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(ErrorKind kind, QString message)
{
    return Error{kind, std::move(message)};
}

} // namespace deskpack
