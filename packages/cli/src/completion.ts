import type { Command, Option } from 'commander';
import { apiOperations } from './api/target.js';
import { repeatableOptions } from './program.js';

/** What the completion scripts need, read from the commander program so they never drift. */
interface Spec {
  globals: Option[];
  commands: { name: string; description: string; options: Option[]; choices: string[] }[];
}

function specOf(program: Command): Spec {
  const visible = (options: readonly Option[]) => options.filter((o) => !o.hidden && o.long);
  return {
    globals: visible([...program.options, ...helpOptions(program)]),
    // Commands whose names start with __ serve the scripts themselves (profile names).
    commands: program.commands
      .filter((command) => !command.name().startsWith('__'))
      .map((command) => ({
        name: command.name(),
        description: command.description(),
        options: visible(command.options),
        choices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
      })),
  };
}

function helpOptions(program: Command): Option[] {
  // The help option is created lazily by commander; ask the help formatter for it.
  return program
    .createHelp()
    .visibleOptions(program)
    .filter((o) => o.long === '--help');
}

const takesValue = (option: Option) => option.required || option.optional;

/** What completes after `testmax api`: the spec's paths, and each path's body fields. */
interface ApiCompletion {
  paths: string[];
  /** path (no leading slash) → field names with their types. */
  fields: { path: string; names: string[]; booleans: string[] }[];
}

function apiCompletion(): ApiCompletion {
  const fields = new Map<string, { names: string[]; booleans: string[] }>();
  for (const operation of apiOperations()) {
    const path = operation.path.slice(1);
    const entry = fields.get(path) ?? { names: [], booleans: [] };
    for (const field of operation.body?.fields ?? []) {
      if (!entry.names.includes(field.name)) entry.names.push(field.name);
      if (field.type.split(' | ').includes('boolean') && !entry.booleans.includes(field.name))
        entry.booleans.push(field.name);
    }
    fields.set(path, entry);
  }
  return {
    paths: [...fields.keys()],
    fields: [...fields]
      .filter(([, entry]) => entry.names.length > 0)
      .map(([path, entry]) => ({ path, ...entry })),
  };
}

/** `name=` for -f; for -F also `name=true` and `name=false` of boolean fields. */
function fieldWords(entry: { names: string[]; booleans: string[] }, typed: boolean): string[] {
  return [
    ...entry.names.map((name) => `${name}=`),
    ...(typed ? entry.booleans.flatMap((name) => [`${name}=true`, `${name}=false`]) : []),
  ];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const words = (options: Option[]) => options.flatMap((o) => [o.long!, ...(o.short ? [o.short] : [])]);
const singleQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function bash(spec: Spec): string {
  const valueOptions = [...spec.globals, ...spec.commands.flatMap((c) => c.options)].filter(takesValue);
  const inlineValues = valueOptions.map((o) => `${o.long}=*`);
  const api = apiCompletion();
  const cases = spec.commands
    .map((c) => {
      const candidates =
        c.name === 'help' ? spec.commands.map((x) => x.name) : [...c.choices, ...words(c.options)];
      return `    ${c.name}) candidates=${singleQuoted(candidates.join(' '))} ;;`;
    })
    .join('\n');
  const fieldCases = (typed: boolean) =>
    api.fields
      .map(
        (entry) => `        ${entry.path}) candidates=${singleQuoted(fieldWords(entry, typed).join(' '))} ;;`,
      )
      .join('\n');
  return `# bash completion for testmax (testmax completion bash)

# bash splits COMP_WORDS at COMP_WORDBREAKS, which include ':' and '=', so
# \`--base-url https://host\` arrives as "https" ":" "//host" and the command after
# it is lost. _testmax uses the words of the line split at blanks only:
# bash-completion's helper when it is loaded, else these, from COMP_LINE up to
# COMP_POINT (sets the caller's cur, prev, words and cword).
_testmax_words() {
  if [[ -n "\${COMP_LINE-}" ]]; then
    local line="\${COMP_LINE:0:\${COMP_POINT:-\${#COMP_LINE}}}"
    read -ra words <<<"$line"
    if [[ \${#words[@]} -eq 0 || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
    cword=$((\${#words[@]} - 1))
    cur="\${words[cword]}"
    prev="\${words[cword-1]}"
  else
    words=("\${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur="\${COMP_WORDS[COMP_CWORD]}"
    prev="\${COMP_WORDS[COMP_CWORD-1]}"
  fi
}

# COMPREPLY from candidates that may hold '=' (api fields): bash replaces only
# the part of the word after its last '=', so that much is cut from each.
_testmax_reply() {
  COMPREPLY=($(compgen -W "$1" -- "$cur"))
  if [[ "$cur" == *=* && "\${COMP_WORDBREAKS-}" == *=* ]]; then
    local prefix="\${cur%=*}=" reply trimmed=()
    for reply in "\${COMPREPLY[@]}"; do
      reply="\${reply#"$prefix"}"
      [[ -n "$reply" ]] && trimmed+=("$reply")
    done
    COMPREPLY=("\${trimmed[@]}")
  fi
}

# testmax api: the spec's paths, each path's fields after -f/-F, files after
# --input. Returns 1 when the word is not one of these (then flags are offered).
_testmax_api() {
  local path="" j
  for ((j = cmdat + 1; j < cword; j++)); do
    case "\${words[j]}" in
      ${words(valueOptions).join('|')}) ((j++)) ;;
      -*) ;;
      *) path="\${words[j]#/}"; break ;;
    esac
  done
  case "$prev" in
    -F|--field|-f|--raw-field)
      if [[ "$prev" == -F || "$prev" == --field ]]; then
        case "$path" in
${fieldCases(true)}
        esac
      else
        case "$path" in
${fieldCases(false)}
        esac
      fi
      _testmax_reply "$candidates"
      compopt -o nospace 2>/dev/null
      return 0 ;;
    --input) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    -X|--method) COMPREPLY=($(compgen -W ${singleQuoted(METHODS.join(' '))} -- "\${cur^^}")); return 0 ;;
  esac
  if [[ -z "$path" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W ${singleQuoted(api.paths.join(' '))} -- "\${cur#/}"))
    return 0
  fi
  return 1
}

_testmax() {
  local cur prev words cword cmd="" cmdat=0 candidates="" i
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n =: cur prev words cword
  else
    _testmax_words
  fi
  for ((i = 1; i < cword; i++)); do
    case "\${words[i]}" in
      ${words(valueOptions).join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; cmdat=$i; break ;;
    esac
  done
  # Profile names come from the config file, read when Tab is pressed.
  if [[ "$prev" == --profile ]]; then
    COMPREPLY=($(compgen -W "$(command testmax __profiles 2>/dev/null)" -- "$cur"))
    return 0
  fi
  if [[ "$cmd" == api ]] && _testmax_api; then return 0; fi
  # Any other value (a URL, an e-mail) is the user's to type: offer nothing.
  case "$prev" in
    ${words(valueOptions).join('|')}) return 0 ;;
  esac
  case "$cur" in
    ${inlineValues.join('|')}) return 0 ;;
  esac
  case "$cmd" in
    "") candidates=${singleQuoted(spec.commands.map((c) => c.name).join(' '))} ;;
${cases}
  esac
  # No candidate contains ':' or '=', so the word bash will replace never needs trimming.
  COMPREPLY=($(compgen -W "$candidates ${words(spec.globals).join(' ')}" -- "$cur"))
}
complete -F _testmax testmax
`;
}

/** The zsh action completing an option's value: a function for the dynamic ones, else none. */
function zshValueAction(option: Option, command: string | undefined): string {
  if (option.long === '--profile') return '_testmax_profiles';
  if (command === 'api') {
    if (option.long === '--field' || option.long === '--raw-field') return '->api_field';
    if (option.long === '--input') return '_files';
    if (option.long === '--method') return `(${METHODS.join(' ')})`;
  }
  return '';
}

function zshOption(option: Option, command?: string): string {
  const description = option.description.replaceAll('[', '(').replaceAll(']', ')').replaceAll("'", '');
  const value = takesValue(option) ? `:${option.attributeName()}:${zshValueAction(option, command)}` : '';
  const spec = `[${description}]${value}`;
  // A repeatable option (-f, -F, -H) may be given again; others exclude their other spelling.
  const repeat = repeatableOptions.has(option) ? '*' : '';
  if (option.short) {
    const exclusion = repeat ? '*' : `(${option.short} ${option.long})`;
    return `'${exclusion}'{${option.short},${option.long}}'${spec}'`;
  }
  return `'${repeat}${option.long}${spec}'`;
}

function zsh(spec: Spec): string {
  const api = apiCompletion();
  const commands = spec.commands
    .map((c) => `    ${singleQuoted(`${c.name}:${c.description.replaceAll(':', '\\:')}`)}`)
    .join('\n');
  const globals = spec.globals.map((o) => `    ${zshOption(o)} \\`).join('\n');
  const cases = spec.commands
    .map((c) => {
      // The global flags work after the command too (`testmax status --json`): offer them there.
      const specs = [...c.options.map((o) => zshOption(o, c.name)), ...spec.globals.map((o) => zshOption(o))];
      if (c.choices.length > 0) specs.push(`'1:${c.name}:(${c.choices.join(' ')})'`);
      if (c.name === 'help') specs.push(`'1:command:(${spec.commands.map((x) => x.name).join(' ')})'`);
      if (c.name === 'api') {
        specs.push(`'1:path:(${api.paths.join(' ')})'`);
        return `        api)\n          _arguments -C ${specs.join(' ')} && return\n          [[ $state == api_field ]] && _testmax_api_fields ;;`;
      }
      return `        ${c.name}) _arguments ${specs.join(' ')} ;;`;
    })
    .join('\n');
  const fieldCases = api.fields
    .map(
      (entry) =>
        `    ${entry.path}) names=(${fieldWords(entry, false).join(' ')}); values=(${fieldWords(entry, true)
          .filter((word) => !word.endsWith('='))
          .join(' ')}) ;;`,
    )
    .join('\n');
  return `#compdef testmax
# zsh completion for testmax (testmax completion zsh)

# Profile names come from the config file, read when Tab is pressed.
_testmax_profiles() {
  local -a names
  names=(\${(f)"$(command testmax __profiles 2>/dev/null)"})
  compadd -a names
}

# After -f/-F of \`testmax api PATH\`: that path's fields (and true/false for -F).
_testmax_api_fields() {
  local -a names values
  case \${line[1]#/} in
${fieldCases}
  esac
  compadd -S '' -a names
  [[ $words[CURRENT-1] == (-F|--field) ]] && compadd -a values
}

_testmax() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${commands}
  )
  _arguments -C \\
${globals}
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command) _describe 'command' commands ;;
    args)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
if [ "$funcstack[1]" = "_testmax" ]; then
  _testmax "$@"
else
  compdef _testmax testmax
fi
`;
}

function fishOption(option: Option, condition?: string, values?: string): string {
  const parts = ['complete -c testmax'];
  if (condition) parts.push(`-n ${singleQuoted(condition)}`);
  if (option.short) parts.push(`-s ${option.short.slice(1)}`);
  parts.push(`-l ${option.long!.slice(2)}`);
  if (takesValue(option)) parts.push(values ? `-x -a ${singleQuoted(values)}` : '-r');
  parts.push(`-d ${singleQuoted(option.description)}`);
  return parts.join(' ');
}

/** fish's value completions for the dynamic options. */
function fishValues(option: Option, command: string | undefined): string | undefined {
  if (option.long === '--profile') return '(command testmax __profiles 2>/dev/null)';
  if (command !== 'api') return undefined;
  if (option.long === '--field') return '(__testmax_api_fields typed)';
  if (option.long === '--raw-field') return '(__testmax_api_fields)';
  if (option.long === '--input') return '(__fish_complete_path)';
  if (option.long === '--method') return METHODS.join(' ');
  return undefined;
}

function fish(spec: Spec): string {
  const api = apiCompletion();
  const valueOptions = [...spec.globals, ...spec.commands.flatMap((c) => c.options)].filter(takesValue);
  const names = spec.commands.map((c) => c.name).join(' ');
  const fieldCases = api.fields
    .map(
      (entry) =>
        `        case ${entry.path}\n            printf '%s\\n' ${fieldWords(entry, false).join(' ')}\n            test "$argv[1]" = typed; and printf '%s\\n' ${fieldWords(
          entry,
          true,
        )
          .filter((word) => !word.endsWith('='))
          .join(' ')}`,
    )
    .join('\n');
  const functions = `# The path typed after \`testmax api\`, if any (its leading / dropped).
function __testmax_api_path
    set -l seen 0
    set -l skip 0
    for token in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case ${words(valueOptions).join(' ')}
                set skip 1
            case '-*'
            case '*'
                if test $seen -eq 1
                    string replace -r '^/' '' -- $token
                    return 0
                end
                test "$token" = api; and set seen 1
        end
    end
    return 1
end

# The fields of that path, for -f (and true/false values too for -F: \`typed\`).
function __testmax_api_fields
    switch (__testmax_api_path)
${fieldCases}
    end
end`;
  const lines = [
    '# fish completion for testmax (testmax completion fish)',
    'complete -c testmax -f',
    functions,
    ...spec.globals.map((o) => fishOption(o, undefined, fishValues(o, undefined))),
    ...spec.commands.map(
      (c) =>
        `complete -c testmax -n ${singleQuoted(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${singleQuoted(c.description)}`,
    ),
    ...spec.commands.flatMap((c) => {
      const condition = `__fish_seen_subcommand_from ${c.name}`;
      const out = c.options.map((o) => fishOption(o, condition, fishValues(o, c.name)));
      if (c.choices.length > 0)
        out.push(`complete -c testmax -n ${singleQuoted(condition)} -a ${singleQuoted(c.choices.join(' '))}`);
      if (c.name === 'help')
        out.push(`complete -c testmax -n ${singleQuoted(condition)} -a ${singleQuoted(names)}`);
      if (c.name === 'api')
        out.push(
          `complete -c testmax -n ${singleQuoted(`${condition}; and not __testmax_api_path >/dev/null`)} -a ${singleQuoted(api.paths.join(' '))}`,
        );
      return out;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

export type Shell = 'bash' | 'zsh' | 'fish';

export function completionScript(program: Command, shell: Shell): string {
  const spec = specOf(program);
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}
