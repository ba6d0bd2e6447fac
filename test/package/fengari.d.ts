/** The slice of fengari (a Lua 5.3 VM in JavaScript) the health-check tests use; it ships no types. */
declare module "fengari" {
  type State = unknown;
  export const lua: {
    lua_getfield(L: State, index: number, key: Uint8Array): number;
    lua_tojsstring(L: State, index: number): string;
    lua_pop(L: State, n: number): void;
    lua_type(L: State, index: number): number;
    LUA_TTABLE: number;
  };
  export const lauxlib: {
    luaL_newstate(): State;
    luaL_dostring(L: State, code: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: State): void };
  export function to_luastring(s: string): Uint8Array;
}
