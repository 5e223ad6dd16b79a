# bash completion for mgviz. Commands and options are read from mgviz's own
# help (mgviz --help, mgviz help CMD), so they are always the ones it accepts;
# an option's values are completed from its help line: "--rankdir LR|TB|RL|BT"
# offers the four, FILE and DIR complete paths.

# Every option listed on an indented help line ("  -h, --help  ...").
_mgviz_options()
{
    sed -n 's/^ \{1,\}\(-[^ ,]*\(, -[^ ,]*\)*\).*/\1/p' | tr -s ', ' '\n\n' | grep '^-'
}

# The argument word of option $1 on its help line ("FILE", "LR|TB", ...).
_mgviz_option_arg()
{
    local opt=$1
    sed -n 's/^ \{1,\}\(-[^ ]*, \)*'"$opt"'[ =]\([^ ]\{1,\}\).*/\2/p' | head -n 1
}

_mgviz()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local exe=${COMP_WORDS[0]} help arg
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        local commands
        commands=$("$exe" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p')
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$("$exe" --help 2>/dev/null | _mgviz_options)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    if [ "${COMP_WORDS[1]}" = help ]; then
        [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W \
            "$("$exe" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p')" \
            -- "$cur"))
        return
    fi
    help=$("$exe" help "${COMP_WORDS[1]}" 2>/dev/null) || return
    if [[ $prev == -* ]]; then
        arg=$(printf '%s\n' "$help" | _mgviz_option_arg "$prev")
        case $arg in
        *'|'*)
            COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur"))
            return ;;
        DIR*)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        FILE*)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        ?*)
            return ;; # a number or text: nothing to offer
        esac
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | _mgviz_options)" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _mgviz mgviz
