# reference: proot
# make: a two-file C project built with -j2, then rebuilt after one source changes (make's
# timestamp checks), a phony target, make -q and -n, and a failing recipe.
mkdir -p src
printf 'int twice(int x) { return 2 * x; }\n' > src/twice.c
printf '#include <stdio.h>\nint twice(int);\nint main(void) { printf("%%d\\n", twice(21)); return 0; }\n' > src/main.c
cat > Makefile <<'EOF'
CFLAGS = -O1
OBJS = main.o twice.o
app: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: src/%.c
	$(CC) $(CFLAGS) -c -o $@ $<
.PHONY: run clean broken
run: app
	./app
clean:
	rm -f app $(OBJS)
broken:
	false
EOF
make -j2 --no-print-directory -O 2>&1 | sort; ./app
make --no-print-directory; echo "up to date: $?"
make -q; echo "question: $?"
sleep 1.1; printf 'int twice(int x) { return 3 * x; }\n' > src/twice.c
make -q; echo "question after change: $?"
make -n | sed 's/ *$//'
make --no-print-directory run
make --no-print-directory broken 2>&1; echo "broken: $?"
make --no-print-directory clean; ls
