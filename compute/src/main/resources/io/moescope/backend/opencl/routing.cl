// Router selection, one work-item per token, following RoutingRule step by step (the reference
// the tests compare with): the same float roundings, ties to the lower index, best first, and
// masked groups set to 0 rather than -inf as transformers does.

#define RULE_SOFTMAX 0
#define RULE_SOFTMAX_GROUP_MAX 1
#define RULE_SIGMOID_GROUP_TOP2 2

// Softmax of n logits into out, the denominator summed in double where the device has it.
inline void softmax_row(__global const float* x, int n, __global float* out) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) mx = fmax(mx, x[i]);
    real sum = 0;
    for (int i = 0; i < n; i++) sum += exp((real) (x[i] - mx));
    for (int i = 0; i < n; i++) out[i] = (float) (exp((real) (x[i] - mx)) / sum);
}

inline int taken(__global const int* picked, int count, int i) {
    for (int j = 0; j < count; j++) if (picked[j] == i) return 1;
    return 0;
}

// The k largest of values[0..n), best first, ties to the lower index, into picked[0..k).
inline void top_k(__global const float* values, int n, int k, __global int* picked) {
    for (int j = 0; j < k; j++) {
        int arg = -1;
        for (int i = 0; i < n; i++) {
            if (!taken(picked, j, i) && (arg < 0 || values[i] > values[arg])) arg = i;
        }
        picked[j] = arg;
    }
}

// Zeroes the choice scores outside the keptGroups best groups.
inline void mask_groups(__global float* choice, __global const float* groupScore, __global int* keptList,
                        int G, int per, int keptGroups) {
    top_k(groupScore, G, keptGroups, keptList);
    for (int g = 0; g < G; g++) {
        if (!taken(keptList, keptGroups, g)) {
            for (int e = 0; e < per; e++) choice[g * per + e] = 0.0f;
        }
    }
}

__kernel void route(__global const float* logits, __global const float* bias, int hasBias,
                    __global float* scoresAll, __global float* choiceAll, __global float* groupAll, __global int* keptAll,
                    __global int* index, __global float* weight,
                    int T, int E, int K, int G, int keptGroups, int rule, int renormalize, float scaling) {
    int t = get_global_id(0);
    if (t >= T) return;
    __global const float* l = logits + (long) t * E;
    __global float* scores = scoresAll + (long) t * E;
    __global float* choice = choiceAll + (long) t * E;
    __global float* groupScore = groupAll + (long) t * G;
    __global int* kept = keptAll + (long) t * G;
    __global int* chosen = index + (long) t * K;
    int per = E / G;
    if (rule == RULE_SIGMOID_GROUP_TOP2) {
        for (int e = 0; e < E; e++) {
            scores[e] = sigmoid_like_java(l[e]);
            choice[e] = scores[e] + (hasBias ? bias[e] : 0.0f);
        }
        for (int g = 0; g < G; g++) {
            float a = -INFINITY, b = -INFINITY;
            for (int e = 0; e < per; e++) {
                float s = choice[g * per + e];
                if (s > a) {
                    b = a;
                    a = s;
                } else if (s > b) {
                    b = s;
                }
            }
            groupScore[g] = a + b;
        }
        mask_groups(choice, groupScore, kept, G, per, keptGroups);
    } else {
        softmax_row(l, E, scores);
        for (int e = 0; e < E; e++) choice[e] = scores[e];
        if (rule == RULE_SOFTMAX_GROUP_MAX) {
            for (int g = 0; g < G; g++) {
                float m = -INFINITY;
                for (int e = 0; e < per; e++) m = fmax(m, choice[g * per + e]);
                groupScore[g] = m;
            }
            mask_groups(choice, groupScore, kept, G, per, keptGroups);
        }
    }
    top_k(choice, E, K, chosen);
    float sum = 0.0f;
    for (int j = 0; j < K; j++) sum += scores[chosen[j]];
    // DeepSeek-V3 guards the division with 1e-20; a softmax sum is never zero.
    float denom = rule == RULE_SIGMOID_GROUP_TOP2 ? sum + 1e-20f : sum;
    for (int j = 0; j < K; j++) {
        float w = scores[chosen[j]];
        if (renormalize) w /= denom;
        weight[(long) t * K + j] = w * scaling;
    }
}

// d(weight_j) / d(score_j') folded with dWeight: the renormalisation's Jacobian when asked for.
inline real score_grad(float g, real denom, real gs, int renormalize, float scaling) {
    return renormalize ? scaling * (g / denom - gs / (denom * denom)) : (real) scaling * g;
}

// Gradient of the weights w_j = scaling * s_j / denom (or scaling * s_j) with respect to the
// logits, through the chosen experts' scores only. The row of dLogits first holds the scores.
__kernel void route_backward(__global const float* dWeight, __global const float* logits, __global const int* index,
                             __global float* dLogits, int T, int E, int K, int rule, int renormalize, float scaling) {
    int t = get_global_id(0);
    if (t >= T) return;
    __global const float* l = logits + (long) t * E;
    __global float* dl = dLogits + (long) t * E;
    __global const int* chosen = index + (long) t * K;
    __global const float* g = dWeight + (long) t * K;
    int sigmoid = rule == RULE_SIGMOID_GROUP_TOP2;
    if (sigmoid) {
        for (int e = 0; e < E; e++) dl[e] = sigmoid_like_java(l[e]);
    } else {
        softmax_row(l, E, dl);
    }
    float sum = 0.0f;
    for (int j = 0; j < K; j++) sum += dl[chosen[j]];
    real denom = sigmoid ? (real) (sum + 1e-20f) : (real) sum;
    real gs = 0;
    for (int j = 0; j < K; j++) gs += (real) g[j] * dl[chosen[j]];
    if (sigmoid) {
        for (int j = 0; j < K; j++) {
            int e = chosen[j];
            real s = dl[e];
            dl[e] = (float) (score_grad(g[j], denom, gs, renormalize, scaling) * s * (1 - s));
        }
        for (int e = 0; e < E; e++) if (!taken(chosen, K, e)) dl[e] = 0.0f;
    } else {
        real dot = 0;   // sum_j s_j dScore_j, the softmax Jacobian's shared term
        for (int j = 0; j < K; j++) dot += dl[chosen[j]] * score_grad(g[j], denom, gs, renormalize, scaling);
        for (int e = 0; e < E; e++) {
            real ds = 0;
            for (int j = 0; j < K; j++) if (chosen[j] == e) ds = score_grad(g[j], denom, gs, renormalize, scaling);
            dl[e] = (float) (dl[e] * (ds - dot));
        }
    }
}
