# reference: proot
# Erlang/OTP 27 (BEAM with its JIT, schedulers on several threads, timerfd-driven timers):
# processes and messages, many spawned processes, ETS, binaries, timers, ports to external
# programs (open_port and os:cmd: erl_child_setup forks them, the VM's poll thread sees their
# pipes).
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
  Port = open_port({spawn, "cat"}, [binary, stream, use_stdio]),
  port_command(Port, <<"through a port\n">>),
  receive {Port, {data, Echo}} -> io:format("cat ~s", [Echo]) after 20000 -> io:format("cat timeout~n") end,
  port_close(Port),
  P2 = open_port({spawn, "echo from sh"}, [exit_status, stderr_to_stdout]),
  Collect = fun Loop(Acc) -> receive {P2, {data, D}} -> Loop(Acc ++ D); {P2, {exit_status, S}} -> {Acc, S} after 20000 -> timeout end end,
  io:format("port ~p~n", [Collect([])]),
  io:format("os:cmd ~p~n", [os:cmd("echo one; echo two >&2")]),
  halt().'
