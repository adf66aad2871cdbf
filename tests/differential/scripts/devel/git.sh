# reference: proot
# git: init, add, commit, branch, merge, log, diff, tag, gc (repack, pack files), fsck, clone.
# Dates are fixed so commit ids are the same under both.
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.org
export GIT_AUTHOR_DATE='2024-01-02T03:04:05Z' GIT_COMMITTER_DATE='2024-01-02T03:04:05Z' GIT_CONFIG_NOSYSTEM=1 HOME=$PWD
git init -q -b main repo && cd repo
for i in 1 2 3; do seq $i 200 > "file$i.txt"; done
git add . && git commit -q -m "first" && echo "committed $(git rev-parse HEAD)"
git checkout -q -b topic
echo "topic line" >> file1.txt && git commit -q -am "topic change"
git checkout -q main
echo "main line" >> file2.txt && git commit -q -am "main change"
git merge -q --no-edit topic && echo merged
git tag -a v1 -m "version one"
git log --graph --format='%h %s' | cat
git diff --stat HEAD~2 HEAD | cat
git show --stat --format='%H%n%an <%ae>' v1 | cat
git count-objects | sed 's/, [0-9]* kilobytes//'
git gc -q --aggressive && git count-objects -v | grep -E '^(count|in-pack|packs):'
git fsck --strict 2>&1 && echo fsck ok
git verify-pack -v .git/objects/pack/*.idx | tail -2
cd .. && git clone -q repo copy && git -C copy log --oneline | cat && cmp repo/file1.txt copy/file1.txt && echo clone identical
git -C copy status --porcelain=v1 --branch
