/**
 * The Lua side of the sandbox, run once in each fresh state before any user script. It keeps the
 * dangerous functions to itself (load, debug, collectgarbage) and gives each script run a fresh
 * global table holding only what Argo CD's scripts use: the base functions without dofile, load and
 * friends; fresh copies of string (no dump), table and math, with the Lua 5.1 functions gopher-lua
 * (Argo CD's Lua 5.1 VM) keeps; and Argo CD's safe os (time and date).
 * `require` hands out those same tables, as Argo CD preloads its safe os.
 *
 * An instruction count hook stops a run that goes on too long; once it fired, pcall and xpcall
 * re-raise, so a script cannot catch its way past the limit. The allocator's limit (set from
 * JavaScript) stops one that allocates too much, and the count hook then ends any loop that keeps
 * catching "not enough memory". `__gc` metamethods are refused: a finalizer would run later, in
 * another script's run.
 */
export const SANDBOX_LUA = String.raw`
local load, pcall, xpcall, error, pairs, type, tostring, setmetatable, select = load, pcall, xpcall, error, pairs, type, tostring, setmetatable, select
local sethook, setupvalue, collectgarbage = debug.sethook, debug.setupvalue, collectgarbage
local tpack, tunpack = table.pack, table.unpack
local sstring, stable, smath, ostime, osdate = string, table, math, os.time, os.date

-- Scripts must not reach the shared string table through a string's metatable.
getmetatable("").__metatable = false

local aborted = nil
local compiled = {}

local function copy(t, except)
  local c = {}
  for k, v in pairs(t) do if k ~= except then c[k] = v end end
  return c
end

local memory_limit = 0

-- After a caught error: past a budget, no script may go on (a memory error is final too, or a loop
-- catching it would run a full collection per turn).
local function rethrow_abort(ok, err, ...)
  if not ok and err == "not enough memory" then aborted = "health script stopped: it allocated more than " .. memory_limit .. " bytes" end
  if aborted then error(aborted, 0) end
  return ok, err, ...
end

local BASE = { "assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type", "getmetatable", "_VERSION" }
local base = {}
for _, name in pairs(BASE) do base[name] = _G[name] end

local function environment(obj)
  local env = copy(base)
  env.string, env.table, env.math = copy(sstring, "dump"), copy(stable), copy(smath)
  env.os = { time = ostime, date = osdate }
  env.unpack = tunpack
  -- Lua 5.1's functions that gopher-lua, Argo CD's VM, still has and its scripts use (table.getn).
  env.table.getn, env.table.maxn = function(t) return #t end, function(t) local n = 0 for k in pairs(t) do if type(k) == "number" and k > n then n = k end end return n end
  env.math.pow, env.math.mod, env.math.log10 = function(x, y) return x ^ y end, smath.fmod, function(x) return smath.log(x, 10) end
  env.print = function() end
  env.pcall = function(f, ...) return rethrow_abort(pcall(f, ...)) end
  env.xpcall = function(f, handler, ...) return rethrow_abort(xpcall(f, handler, ...)) end
  env.setmetatable = function(t, mt)
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then error("__gc metamethods are not allowed", 2) end
    return setmetatable(t, mt)
  end
  local modules = { string = env.string, table = env.table, math = env.math, os = env.os }
  env.require = function(name)
    local m = modules[name]
    if m == nil then error("module '" .. tostring(name) .. "' not found", 2) end
    return m
  end
  env._G = env
  env.obj = obj
  return env
end

-- Compiles one script; returns nil, or the syntax error.
function radial_compile(name, source)
  local fn, err = load(source, "=" .. name, "t", {})
  if not fn then return err end
  compiled[name] = fn
  return nil
end

-- Runs one compiled script on obj within maxInstructions (and the allocator's maxBytes, set from
-- JavaScript); returns { status, message } or { error }.
function radial_run(name, obj, maxInstructions, maxBytes)
  local fn = compiled[name]
  aborted, memory_limit = nil, maxBytes
  local ok, result = pcall(function()
    setupvalue(fn, 1, environment(obj))
    sethook(function()
      aborted = "health script stopped: it ran more than " .. maxInstructions .. " Lua instructions"
      error(aborted, 0)
    end, "", maxInstructions)
    local value = fn()
    sethook()
    return value
  end)
  sethook()
  if not ok and result == "not enough memory" then aborted = "health script stopped: it allocated more than " .. maxBytes .. " bytes" end
  if aborted then ok, result = false, aborted end
  -- The run's globals (and obj) go with it.
  setupvalue(fn, 1, {})
  collectgarbage()
  if not ok then return { error = tostring(result) } end
  if type(result) ~= "table" then return { error = "expect table output from Lua script, not " .. type(result) } end
  local status, message = rawget(result, "status"), rawget(result, "message")
  if status ~= nil and type(status) ~= "string" then return { error = "the script's status is a " .. type(status) .. ", not a string" } end
  if message ~= nil and type(message) ~= "string" then return { error = "the script's message is a " .. type(message) .. ", not a string" } end
  return { status = status, message = message }
end
`;
