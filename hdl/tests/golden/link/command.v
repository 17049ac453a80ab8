

module t_command(clock,reset,f_valid,f_seq,f_code,f_len,f_release,q_addr,q_en,q_data,a_addr,a_data,a_we,tx_start,tx_seq,tx_code,tx_len,tx_base,tx_busy,s_index,s_read,s_value,s_hold,s_idle,io_mode,io_mem,io_addr,io_start,io_in_data,io_in_valid,io_in_ready,io_out_data,io_out_valid,io_out_ready,mem_ok,mem_wb,mem_depth,ev_dup,ev_refused,ev_infer,ev_word,busy);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  f_valid;
    input wire  [7:0] f_seq;
    input wire  [7:0] f_code;
    input wire  [15:0] f_len;
    output reg  f_release;
    output reg  [12:0] q_addr;
    output reg  q_en;
    input wire  [7:0] q_data;
    output reg  [12:0] a_addr;
    output reg  [7:0] a_data;
    output reg  a_we;
    output reg  tx_start;
    output reg  [7:0] tx_seq;
    output reg  [7:0] tx_code;
    output reg  [15:0] tx_len;
    output reg  [12:0] tx_base;
    input wire  tx_busy;
    output reg  [4:0] s_index;
    output reg  s_read;
    input wire  [7:0] s_value;
    output reg  s_hold;
    input wire  s_idle;
    output reg  [1:0] io_mode;
    output reg  [7:0] io_mem;
    output reg  [31:0] io_addr;
    output reg  io_start;
    output reg  [7:0] io_in_data;
    output reg  io_in_valid;
    input wire  io_in_ready;
    input wire  [7:0] io_out_data;
    input wire  io_out_valid;
    output reg  io_out_ready;
    input wire  mem_ok;
    input wire  [15:0] mem_wb;
    input wire  [31:0] mem_depth;
    output reg  ev_dup;
    output reg  ev_refused;
    output reg  ev_infer;
    output reg  ev_word;
    output reg  busy;
    
    // Constant declarations
    localparam  in_vec = 13'b10100;
    localparam  out_vec = 13'b110;
    localparam  max_batch = 13'b11;
    localparam  info_base = 13'b100000;
    localparam  info_len = 16'h32;
    
    // Enums
    localparam CmdState$Idle = 0;
    localparam CmdState$Decide = 1;
    localparam CmdState$HdrRead = 2;
    localparam CmdState$HdrTake = 3;
    localparam CmdState$CheckWrite = 4;
    localparam CmdState$Divide = 5;
    localparam CmdState$CheckInfer = 6;
    localparam CmdState$Multiply = 7;
    localparam CmdState$Begin = 8;
    localparam CmdState$StreamRead = 9;
    localparam CmdState$StreamOffer = 10;
    localparam CmdState$Finish = 11;
    localparam CmdState$CopyStatus = 12;
    localparam CmdState$StatusTake = 13;
    localparam CmdState$Refuse = 14;
    localparam CmdState$Answer = 15;
    localparam CmdState$Release = 16;
    
    // Stub signals
    reg  [4:0] state$d;
    wire  [4:0] state$q;
    reg  state$clock;
    reg  have_last$d;
    wire  have_last$q;
    reg  have_last$clock;
    reg  [7:0] last_seq$d;
    wire  [7:0] last_seq$q;
    reg  last_seq$clock;
    reg  [7:0] ans_code$d;
    wire  [7:0] ans_code$q;
    reg  ans_code$clock;
    reg  [15:0] ans_len$d;
    wire  [15:0] ans_len$q;
    reg  ans_len$clock;
    reg  [12:0] ans_base$d;
    wire  [12:0] ans_base$q;
    reg  ans_base$clock;
    reg  [2:0] err$d;
    wire  [2:0] err$q;
    reg  err$clock;
    reg  [12:0] i$d;
    wire  [12:0] i$q;
    reg  i$clock;
    reg  [39:0] hdr$d;
    wire  [39:0] hdr$q;
    reg  hdr$clock;
    reg  [12:0] rem$d;
    wire  [12:0] rem$q;
    reg  rem$clock;
    reg  [12:0] wb$d;
    wire  [12:0] wb$q;
    reg  wb$clock;
    reg  [12:0] words$d;
    wire  [12:0] words$q;
    reg  words$clock;
    reg  [12:0] k$d;
    wire  [12:0] k$q;
    reg  k$clock;
    reg  [12:0] in_total$d;
    wire  [12:0] in_total$q;
    reg  in_total$clock;
    reg  [12:0] out_total$d;
    wire  [12:0] out_total$q;
    reg  out_total$clock;
    reg  [12:0] a_ptr$d;
    wire  [12:0] a_ptr$q;
    reg  a_ptr$clock;
    reg  [12:0] vb$d;
    wire  [12:0] vb$q;
    reg  vb$clock;
    reg  [12:0] wbc$d;
    wire  [12:0] wbc$q;
    reg  wbc$clock;
    reg  [1:0] mode$d;
    wire  [1:0] mode$q;
    reg  mode$clock;
    
    // Local signals
    reg  [15:0] count;
    reg  [31:0] offset;
    reg  [32:0] word_end;
    
    // Sub module instances
    t_command$state state(
        .d(state$d),
        .q(state$q),
        .clock(state$clock)
    );
    t_command$have_last have_last(
        .d(have_last$d),
        .q(have_last$q),
        .clock(have_last$clock)
    );
    t_command$last_seq last_seq(
        .d(last_seq$d),
        .q(last_seq$q),
        .clock(last_seq$clock)
    );
    t_command$ans_code ans_code(
        .d(ans_code$d),
        .q(ans_code$q),
        .clock(ans_code$clock)
    );
    t_command$ans_len ans_len(
        .d(ans_len$d),
        .q(ans_len$q),
        .clock(ans_len$clock)
    );
    t_command$ans_base ans_base(
        .d(ans_base$d),
        .q(ans_base$q),
        .clock(ans_base$clock)
    );
    t_command$err err(
        .d(err$d),
        .q(err$q),
        .clock(err$clock)
    );
    t_command$i i(
        .d(i$d),
        .q(i$q),
        .clock(i$clock)
    );
    t_command$hdr hdr(
        .d(hdr$d),
        .q(hdr$q),
        .clock(hdr$clock)
    );
    t_command$rem rem(
        .d(rem$d),
        .q(rem$q),
        .clock(rem$clock)
    );
    t_command$wb wb(
        .d(wb$d),
        .q(wb$q),
        .clock(wb$clock)
    );
    t_command$words words(
        .d(words$d),
        .q(words$q),
        .clock(words$clock)
    );
    t_command$k k(
        .d(k$d),
        .q(k$q),
        .clock(k$clock)
    );
    t_command$in_total in_total(
        .d(in_total$d),
        .q(in_total$q),
        .clock(in_total$clock)
    );
    t_command$out_total out_total(
        .d(out_total$d),
        .q(out_total$q),
        .clock(out_total$clock)
    );
    t_command$a_ptr a_ptr(
        .d(a_ptr$d),
        .q(a_ptr$q),
        .clock(a_ptr$clock)
    );
    t_command$vb vb(
        .d(vb$d),
        .q(vb$q),
        .clock(vb$clock)
    );
    t_command$wbc wbc(
        .d(wbc$d),
        .q(wbc$q),
        .clock(wbc$clock)
    );
    t_command$mode mode(
        .d(mode$d),
        .q(mode$q),
        .clock(mode$clock)
    );
    
    // Update code
    always @(*) begin
        state$clock = clock;
        have_last$clock = clock;
        last_seq$clock = clock;
        ans_code$clock = clock;
        ans_len$clock = clock;
        ans_base$clock = clock;
        err$clock = clock;
        i$clock = clock;
        hdr$clock = clock;
        rem$clock = clock;
        wb$clock = clock;
        words$clock = clock;
        k$clock = clock;
        in_total$clock = clock;
        out_total$clock = clock;
        a_ptr$clock = clock;
        vb$clock = clock;
        wbc$clock = clock;
        mode$clock = clock;
        state$d = state$q;
        have_last$d = have_last$q;
        last_seq$d = last_seq$q;
        ans_code$d = ans_code$q;
        ans_len$d = ans_len$q;
        ans_base$d = ans_base$q;
        err$d = err$q;
        i$d = i$q;
        hdr$d = hdr$q;
        rem$d = rem$q;
        wb$d = wb$q;
        words$d = words$q;
        k$d = k$q;
        in_total$d = in_total$q;
        out_total$d = out_total$q;
        a_ptr$d = a_ptr$q;
        vb$d = vb$q;
        wbc$d = wbc$q;
        mode$d = mode$q;
        count = hdr$q[(32'h18)+:(16)];
        offset = hdr$q[(32'h8)+:(32)];
        word_end = ((offset) & 33'h1ffffffff) + ((words$q) & 33'h1ffffffff);
        busy = state$q != CmdState$Idle;
        f_release = 1'b0;
        q_addr = i$q;
        q_en = 1'b0;
        a_addr = a_ptr$q;
        a_data = io_out_data;
        a_we = 1'b0;
        tx_start = 1'b0;
        tx_seq = last_seq$q;
        tx_code = ans_code$q;
        tx_len = ans_len$q;
        tx_base = ans_base$q;
        s_index = ((i$q) & 5'h1f);
        s_read = 1'b0;
        s_hold = 1'b0;
        io_mode = mode$q;
        io_mem = ((hdr$q) & 8'hff);
        io_addr = offset;
        io_start = 1'b0;
        io_in_data = q_data;
        io_in_valid = 1'b0;
        io_out_ready = 1'b0;
        ev_dup = 1'b0;
        ev_refused = 1'b0;
        ev_infer = 1'b0;
        ev_word = 1'b0;
        case (state$q)
            CmdState$Idle:
                begin
                    if (f_valid & ~tx_busy) begin
                        state$d = CmdState$Decide;
                    end
                end
            CmdState$Decide:
                begin
                    i$d = 32'h0;
                    state$d = CmdState$Refuse;
                    err$d = 32'h1;
                    if (have_last$q & (f_seq == last_seq$q)) begin
                        ev_dup = 1'b1;
                        tx_start = 1'b1;
                        state$d = CmdState$Release;
                    end
                    else if (f_code == 32'h1) begin
                        err$d = 32'h2;
                        if (f_len == 32'h0) begin
                            ans_code$d = 32'h81;
                            ans_len$d = info_len;
                            ans_base$d = info_base;
                            state$d = CmdState$Answer;
                        end
                    end
                    else if (f_code == 32'h4) begin
                        err$d = 32'h2;
                        if (f_len == 32'h0) begin
                            state$d = CmdState$CopyStatus;
                        end
                    end
                    else if (f_code == 32'h2) begin
                        err$d = 32'h2;
                        if (f_len >= 32'h5) begin
                            state$d = CmdState$HdrRead;
                        end
                    end
                    else if (f_code == 32'h3) begin
                        err$d = 32'h2;
                        if (f_len >= 32'h2) begin
                            state$d = CmdState$HdrRead;
                        end
                    end
                end
            CmdState$HdrRead:
                begin
                    q_en = 1'b1;
                    state$d = CmdState$HdrTake;
                end
            CmdState$HdrTake:
                begin
                    hdr$d = (hdr$q >> 32'h8) | (((q_data) & 40'hffffffffff) << 32'h20);
                    i$d = i$q + 32'h1;
                    state$d = CmdState$HdrRead;
                    if ((f_code == 32'h2) & (i$q == 32'h4)) begin
                        state$d = CmdState$CheckWrite;
                    end
                    if ((f_code == 32'h3) & (i$q == 32'h1)) begin
                        state$d = CmdState$CheckInfer;
                    end
                end
            CmdState$CheckWrite:
                begin
                    rem$d = ((f_len) & 13'h1fff) - 32'h5;
                    words$d = 32'h0;
                    wb$d = ((mem_wb) & 13'h1fff);
                    state$d = CmdState$Divide;
                    if (~mem_ok) begin
                        err$d = 32'h3;
                        state$d = CmdState$Refuse;
                    end
                end
            CmdState$Divide:
                begin
                    if (rem$q >= wb$q) begin
                        rem$d = rem$q - wb$q;
                        words$d = words$q + 32'h1;
                    end
                    else if (rem$q != 32'h0) begin
                        err$d = 32'h2;
                        state$d = CmdState$Refuse;
                    end
                    else if (word_end > ((mem_depth) & 33'h1ffffffff)) begin
                        err$d = 32'h4;
                        state$d = CmdState$Refuse;
                    end
                    else begin
                        mode$d = 32'h2;
                        i$d = 32'h5;
                        out_total$d = 32'h0;
                        state$d = CmdState$Begin;
                    end
                end
            CmdState$CheckInfer:
                begin
                    k$d = 32'h0;
                    in_total$d = 32'h2;
                    out_total$d = 32'h0;
                    state$d = CmdState$Multiply;
                    if (count > ((max_batch) & 16'hffff)) begin
                        err$d = 32'h5;
                        state$d = CmdState$Refuse;
                    end
                end
            CmdState$Multiply:
                begin
                    if (((k$q) & 16'hffff) != count) begin
                        k$d = k$q + 32'h1;
                        in_total$d = in_total$q + in_vec;
                        out_total$d = out_total$q + out_vec;
                    end
                    else if (((in_total$q) & 16'hffff) != f_len) begin
                        err$d = 32'h2;
                        state$d = CmdState$Refuse;
                    end
                    else begin
                        mode$d = 32'h1;
                        i$d = 32'h2;
                        state$d = CmdState$Begin;
                    end
                end
            CmdState$Begin:
                begin
                    io_start = 1'b1;
                    a_ptr$d = 32'h0;
                    vb$d = 32'h0;
                    wbc$d = 32'h0;
                    state$d = CmdState$StreamRead;
                end
            CmdState$StreamRead:
                begin
                    io_out_ready = 1'b1;
                    if (((i$q) & 16'hffff) == f_len) begin
                        state$d = CmdState$Finish;
                    end
                    else begin
                        q_en = 1'b1;
                        state$d = CmdState$StreamOffer;
                    end
                end
            CmdState$StreamOffer:
                begin
                    io_out_ready = 1'b1;
                    io_in_valid = 1'b1;
                    if (io_in_ready) begin
                        i$d = i$q + 32'h1;
                        state$d = CmdState$StreamRead;
                        if (mode$q == 32'h2) begin
                            wbc$d = wbc$q + 32'h1;
                            if (wbc$q + 32'h1 == wb$q) begin
                                wbc$d = 32'h0;
                                ev_word = 1'b1;
                            end
                        end
                    end
                end
            CmdState$Finish:
                begin
                    io_out_ready = 1'b1;
                    if (a_ptr$q == out_total$q) begin
                        ans_base$d = 32'h0;
                        ans_len$d = ((out_total$q) & 16'hffff);
                        ans_code$d = 32'h82;
                        if (mode$q == 32'h1) begin
                            ans_code$d = 32'h83;
                        end
                        state$d = CmdState$Answer;
                    end
                end
            CmdState$CopyStatus:
                begin
                    s_hold = 1'b1;
                    if (s_idle) begin
                        s_read = 1'b1;
                        state$d = CmdState$StatusTake;
                    end
                end
            CmdState$StatusTake:
                begin
                    s_hold = 1'b1;
                    a_addr = i$q;
                    a_data = s_value;
                    a_we = 1'b1;
                    i$d = i$q + 32'h1;
                    state$d = CmdState$CopyStatus;
                    if (i$q == 32'h1f) begin
                        ans_code$d = 32'h84;
                        ans_len$d = 32'h20;
                        ans_base$d = 32'h0;
                        state$d = CmdState$Answer;
                    end
                end
            CmdState$Refuse:
                begin
                    a_addr = 32'h0;
                    a_data = ((err$q) & 8'hff);
                    a_we = 1'b1;
                    ev_refused = 1'b1;
                    ans_code$d = 32'hff;
                    ans_len$d = 32'h1;
                    ans_base$d = 32'h0;
                    state$d = CmdState$Answer;
                end
            CmdState$Answer:
                begin
                    have_last$d = 1'b1;
                    last_seq$d = f_seq;
                    tx_seq = f_seq;
                    tx_start = 1'b1;
                    mode$d = 32'h0;
                    state$d = CmdState$Release;
                end
            CmdState$Release:
                begin
                    f_release = 1'b1;
                    state$d = CmdState$Idle;
                end
            default:
                begin
                    state$d = CmdState$Idle;
                end
        endcase
        if (io_out_ready & io_out_valid & (a_ptr$q != out_total$q)) begin
            a_we = 1'b1;
            a_ptr$d = a_ptr$q + 32'h1;
            vb$d = vb$q + 32'h1;
            if (vb$q + 32'h1 == out_vec) begin
                vb$d = 32'h0;
                ev_infer = 1'b1;
            end
        end
        if (reset) begin
            state$d = CmdState$Idle;
            have_last$d = 1'b0;
            mode$d = 32'h0;
        end
    end
    
endmodule // t_command


module t_command$a_ptr(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$a_ptr


module t_command$ans_base(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$ans_base


module t_command$ans_code(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$ans_code


module t_command$ans_len(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$ans_len


module t_command$err(d,q,clock);
    
    // Module arguments
    input wire  [2:0] d;
    output reg  [2:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 3'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$err


module t_command$have_last(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$have_last


module t_command$hdr(d,q,clock);
    
    // Module arguments
    input wire  [39:0] d;
    output reg  [39:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 40'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$hdr


module t_command$i(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$i


module t_command$in_total(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$in_total


module t_command$k(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$k


module t_command$last_seq(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$last_seq


module t_command$mode(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 2'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$mode


module t_command$out_total(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$out_total


module t_command$rem(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$rem


module t_command$state(d,q,clock);
    
    // Module arguments
    input wire  [4:0] d;
    output reg  [4:0] q;
    input wire  clock;
    
    // Enums
    localparam CmdState$Idle = 0;
    localparam CmdState$Decide = 1;
    localparam CmdState$HdrRead = 2;
    localparam CmdState$HdrTake = 3;
    localparam CmdState$CheckWrite = 4;
    localparam CmdState$Divide = 5;
    localparam CmdState$CheckInfer = 6;
    localparam CmdState$Multiply = 7;
    localparam CmdState$Begin = 8;
    localparam CmdState$StreamRead = 9;
    localparam CmdState$StreamOffer = 10;
    localparam CmdState$Finish = 11;
    localparam CmdState$CopyStatus = 12;
    localparam CmdState$StatusTake = 13;
    localparam CmdState$Refuse = 14;
    localparam CmdState$Answer = 15;
    localparam CmdState$Release = 16;
    
    // Update code (custom)
    initial begin
       q = 64'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$state


module t_command$vb(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$vb


module t_command$wb(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$wb


module t_command$wbc(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$wbc


module t_command$words(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_command$words
