# reference: proot
# Erlang/OTP 27 (BEAM with its JIT, schedulers on several threads, timerfd-driven timers):
# processes and messages, many spawned processes, ETS, binaries, timers. (Ports to an external
# program, open_port({spawn, ...}), hang under skiff: docs/compatibility.md.)
erl -noshell -eval '
  io:format("sum ~p~n", [lists:sum(lists:seq(1, 100000))]),
  Self = self(),
  Pids = [spawn(fun() -> receive {N, From} -> From ! {done, N * N} end end) || _ <- lists:seq(1, 100)],
  [P ! {N, Self} || {P, N} <- lists:zip(Pids, lists:seq(1, 100))],
  Squares = lists:sum([receive {done, V} -> V end || _ <- Pids]),
  io:format("processes ~p~n", [Squares]),
  T = ets:new(t, [set]), [ets:insert(T, {K, K * 2}) || K <- lists:seq(1, 1000)],
  io:format("ets ~p ~p~n", [ets:info(T, size), ets:lookup(T, 500)]),
  io:format("binary ~p ~s~n", [byte_size(term_to_binary(lists:seq(1, 100))), base64:encode(<<"skiff">>)]),
  erlang:send_after(50, self(), tick), receive tick -> io:format("timer~n") after 2000 -> io:format("no timer~n") end,
  io:format("schedulers ~p~n", [erlang:system_info(schedulers) > 0]),
  halt().'
