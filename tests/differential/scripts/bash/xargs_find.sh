# xargs and find -exec running external programs.
find /usr/lib/python3.13/json -name '*.py' | sort | xargs -n 2 echo
find /usr/lib/python3.13/json -name '*.py' -exec sha256sum {} + | sort | cut -c1-20,65-
find /usr/lib/python3.13/json -name 'tool.py' -exec basename {} .py \;
seq 1 20 | xargs -n 5 | xargs -I{} echo "[{}]"
printf 'a b\0c d\0' | xargs -0 -n1 echo
seq 1 10 | xargs -P 3 -n 1 expr 2 \* | sort -n | paste -sd' '
echo nothing | xargs false; echo "xargs=$?"
